import { randomBytes } from 'node:crypto';
import { defineAsset } from '../api/static-assets.ts';
import { type Html, html } from './html.ts';

/**
 * The document around every billing page (and the console's): one stylesheet and a few lines of progressive
 * JavaScript (the page works without it), both served by Purse at content-hashed URLs so a browser keeps them
 * for a year and asks for a new file only when it changed (issue 24); nothing from anywhere else, and a
 * per-response CSP nonce on each tag.
 */
const NONCE_BYTES = 16;

const STYLES = `
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1b1f24}
header,main{max-width:46rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem;display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.5rem}
h1{font-size:1.5rem;margin:0}h2{font-size:1.15rem;margin:0 0 .75rem}
section,.banner{background:#fff;border:1px solid #d9dde3;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
a{color:#1d4ed8}
.banner h2{margin:0 0 .25rem;font-size:1.05rem}.banner p{margin:.25rem 0}
.ok{border-color:#7cc49a;background:#ecf8f0}.info{border-color:#9db4d8;background:#eef3fb}.error{border-color:#e09a9a;background:#fdeeee}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin:0}
.figures div{margin:0}.figures dt{color:#4a5360;font-size:.9rem}.figures dd{margin:0;font-size:1.35rem;font-weight:600;overflow-wrap:anywhere}
.hint{color:#4a5360;font-size:.9rem;margin:.25rem 0}
fieldset{border:0;padding:0;margin:0 0 .75rem}legend{font-weight:600;margin-bottom:.25rem}
.presets{display:flex;flex-wrap:wrap;gap:.5rem}
label{display:block;font-weight:600;margin:.25rem 0}
input[type=text]{font:inherit;padding:.5rem .6rem;border:1px solid #8a939f;border-radius:6px;width:100%;max-width:14rem}
input[aria-invalid=true]{border-color:#b42318;border-width:2px}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #1d4ed8;background:#fff;color:#1d4ed8;cursor:pointer;min-height:2.75rem}
button.primary{background:#1d4ed8;color:#fff}
button:hover{background:#e8eefc}button.primary:hover{background:#1e40af}
/* 3:1 or more against every background the page uses (WCAG 1.4.11): near-black ring, white gap. */
:focus-visible{outline:3px solid #1b1f24;outline-offset:2px;box-shadow:0 0 0 2px #fff}
.cards{list-style:none;padding:0;margin:0 0 .75rem}
.cards li{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.6rem 0;border-bottom:1px solid #e6e9ee}
.cards form{display:inline}.actions{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
.confirm{flex-basis:100%;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.confirm p{flex-basis:100%;margin:0}
button.danger{background:#b42318;border-color:#b42318;color:#fff}button.danger:hover{background:#912018}
a.button{display:inline-flex;align-items:center;padding:.5rem 1rem;min-height:2.75rem}
.badge{align-self:center;display:inline-block;line-height:1.6;background:#e6f0ff;color:#1e3a8a;border-radius:999px;padding:0 .6rem;font-size:.85rem;font-weight:600}
.field-error{color:#b42318;font-weight:600;margin:.25rem 0}
.settings input[type=text]{display:block;margin-bottom:.75rem}
.check{display:flex;gap:.5rem;align-items:center;margin:.5rem 0}.check label{margin:0}
input[type=checkbox]{width:1.25rem;height:1.25rem;margin:0}
.state{border:1px solid #d9dde3;border-radius:6px;padding:.25rem .75rem;margin:.5rem 0}.state p{margin:.25rem 0}
.note{border-left:4px solid #9db4d8;padding-left:.75rem}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:left;padding:.45rem .4rem;border-bottom:1px solid #e6e9ee;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
.pager{display:flex;gap:1rem;margin-top:.75rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:0 0 1rem}.filters div{min-width:0;max-width:100%}
.filter-actions{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}.banner h3{margin:0 0 .25rem;font-size:1rem}.banner ul{margin:.25rem 0;padding-left:1.25rem}
select,input[type=date]{font:inherit;padding:.45rem .5rem;border:1px solid #8a939f;border-radius:6px;background:#fff;color:#1b1f24;max-width:100%;min-height:2.75rem}
select[aria-invalid=true],input[type=date][aria-invalid=true]{border-color:#b42318;border-width:2px}
code,td{overflow-wrap:anywhere}
@media (min-width:601px){#history td:not(:nth-child(3)){overflow-wrap:normal}}
.chart{margin:.75rem 0 0}.chart svg{display:block;max-width:100%}details summary{cursor:pointer;color:#1d4ed8;margin:.5rem 0;min-height:1.5rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:600px){
 thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table,tbody,tr,td,tbody th{display:block;width:100%}
 tr{border-bottom:1px solid #d9dde3;padding:.4rem 0}
 td{border:0;padding:.15rem 0;display:flex;justify-content:space-between;gap:1rem;text-align:right}
 td.num{text-align:right}
 tbody th{display:flex;justify-content:space-between;gap:1rem;padding:.15rem 0;border:0}
 td::before,tbody th::before{content:attr(data-label);font-weight:600;color:#4a5360;text-align:left}
}`;

// Polls the order (or auto top-up attempt) until it settles, then reloads so the server renders the outcome; gives up politely.
const POLL_SCRIPT = `(function(){var b=document.querySelector('[data-poll]');if(!b)return;var n=0,max=40;
function tick(){n++;fetch('/billing/status?'+b.getAttribute('data-poll'),{credentials:'same-origin',headers:{accept:'application/json'}})
.then(function(r){return r.ok?r.json():null}).then(function(j){if(j&&j.settled){location.reload();return}if(n<max)setTimeout(tick,1500);else{var s=document.getElementById('still');if(s)s.hidden=false}})
.catch(function(){if(n<max)setTimeout(tick,3000)})}setTimeout(tick,1000)})();`;

// Tells the server the browser's time zone for the next page (dates until then say UTC). No reload.
const TIME_ZONE_SCRIPT = `(function(){try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;if(!z)return;var v=encodeURIComponent(z);
if(document.cookie.indexOf('purse_tz='+v)<0)document.cookie='purse_tz='+v+'; path=/billing; max-age=31536000; samesite=lax'}catch(e){}})();`;

const JS = 'application/javascript; charset=utf-8';
const PAGE_CSS = defineAsset('page', 'css', 'text/css; charset=utf-8', () => STYLES);
const TIME_ZONE_JS = defineAsset('time-zone', 'js', JS, () => TIME_ZONE_SCRIPT);
const POLL_JS = defineAsset('poll', 'js', JS, () => POLL_SCRIPT);

export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64');
}

export function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; ` +
    `base-uri 'none'; frame-ancestors 'none'`;
}

export function layout(opts: { lang: string; title: string; nonce: string; header?: Html; body: Html; script?: boolean }): string {
  return html`<!doctype html>
<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${opts.title}</title>
<link rel="stylesheet" href="${PAGE_CSS.url}" nonce="${opts.nonce}">
</head>
<body>
${opts.header ?? ''}
<main id="main">
${opts.body}
</main>
<script src="${TIME_ZONE_JS.url}" nonce="${opts.nonce}"></script>
${opts.script ? html`<script src="${POLL_JS.url}" nonce="${opts.nonce}"></script>` : ''}
</body>
</html>
`.text;
}
