import { createHash } from 'node:crypto';

/**
 * The checkout page's only script: when the billing country or the currency changes, it shows the
 * total with tax on the Pay button (from a table the server computed) and posts that total back.
 * Fixed text, allowed by its hash in the page's CSP.
 */
export const LIVE_TOTALS_SCRIPT = `(function(){var d=document.getElementById('totals-data');if(!d)return;var t=JSON.parse(d.textContent);
var c=document.getElementById('country'),p=document.getElementById('presentmentCurrency');
function set(id,v){var e=document.getElementById(id);if(e)e.textContent=v}
function upd(){var f=t.figures[(c?c.value:'')+'|'+(p?p.value:t.currency)];if(!f)return;set('submit',f.label);set('tax-amount',f.tax);
set('total-amount',f.total);set('presentment-total',f.presentment);document.getElementById('shownTotal').value=f.token}
if(c)c.addEventListener('change',upd);if(p)p.addEventListener('change',upd);upd()})();`;

export const LIVE_TOTALS_SCRIPT_CSP = `'sha256-${createHash('sha256').update(LIVE_TOTALS_SCRIPT).digest('base64')}'`;
