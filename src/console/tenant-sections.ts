import type { Ctx } from '../context.ts';
import { type Html, html } from '../web/html.ts';
import { formatDate, formatMoney } from '../i18n/locale.ts';
import type { ConsoleViewer } from './console-http.ts';
import { dataTable, hiddenCsrf } from './console-shell.ts';

/**
 * The tenant page's other sections: numbers, cards, open holds, auto top-up (state, resume, attempts),
 * and each webhook endpoint with its recent deliveries and a replay button per delivery. As everywhere in
 * the console, every role sees the actions and the route refuses a role that may not (403 FORBIDDEN_ROLE).
 */
export const SECTION_ROWS = 10;
const DELIVERY_ROWS = 10;

export async function tenantSections(ctx: Ctx, viewer: ConsoleViewer, tenantId: string): Promise<Html> {
  const db = ctx.store.db;
  const [cards, holds, autoTopup, attempts, endpoints] = await Promise.all([
    db.selectFrom('payment_methods').select(['brand', 'last4', 'exp_month', 'exp_year', 'is_default']).where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null).limit(SECTION_ROWS).execute(),
    db.selectFrom('holds').select(['id', 'amount_minor', 'currency', 'expires_at_ms']).where('tenant_id', '=', tenantId).where('state', '=', 'held').orderBy('expires_at_ms').limit(SECTION_ROWS).execute(),
    db.selectFrom('auto_topup_configs').select(['state', 'paused_reason']).where('tenant_id', '=', tenantId).executeTakeFirst(),
    db.selectFrom('auto_topup_attempts').select(['id', 'state', 'amount_minor', 'currency', 'failure_message', 'created_at_ms']).where('tenant_id', '=', tenantId).orderBy('created_at_ms', 'desc').limit(SECTION_ROWS).execute(),
    db.selectFrom('webhook_endpoints').select(['id', 'url', 'enabled', 'failing_since_ms']).where('tenant_id', '=', tenantId).orderBy('id').limit(SECTION_ROWS).execute(),
  ]);
  const t = viewer.t;
  const money = (minor: bigint, currency: string) => formatMoney(BigInt(minor), currency, viewer.lang);
  const state = autoTopup ? `${autoTopup.state}${autoTopup.paused_reason ? ` (${autoTopup.paused_reason})` : ''}` : 'off';
  const resume = autoTopup?.state === 'paused'
    ? html`<form method="post" action="/admin/tenants/${tenantId}/auto-topup/resume">${hiddenCsrf(viewer)}<button type="submit">${t.resume}</button></form>` : '';
  return html`<section><h2>Cards</h2>${dataTable('Cards', ['Card', t.expires, 'Default'], cards.map((c) => [`${c.brand} ${c.last4}`, `${c.exp_month}/${c.exp_year}`, Number(c.is_default) === 1 ? '✓' : '']), t.noRows)}</section>
<section><h2>${t.holds}</h2>${dataTable(t.holds, ['Id', t.amount, t.expires], holds.map((h) => [h.id, money(h.amount_minor, h.currency), formatDate(Number(h.expires_at_ms), viewer.lang)]), t.noRows)}</section>
<section id="auto-topup"><h2>${t.autoTopup}</h2><p data-auto-topup-state>${t.state}: ${state}</p>${resume}
<h3>${t.attempts}</h3>${dataTable(t.attempts, [t.when, t.state, t.amount, t.lastError], attempts.map((a) => [formatDate(Number(a.created_at_ms), viewer.lang), a.state, money(a.amount_minor, a.currency), a.failure_message ?? '']), t.noRows)}</section>
<section id="endpoints"><h2>${t.endpoints}</h2>${endpoints.length === 0 ? html`<p>${t.noRows}</p>` : ''}${await Promise.all(endpoints.map((e) => endpointDeliveries(ctx, viewer, tenantId, e)))}</section>`;
}

async function endpointDeliveries(ctx: Ctx, viewer: ConsoleViewer, tenantId: string, endpoint: { id: string; url: string; enabled: bigint; failing_since_ms: bigint | null }): Promise<Html> {
  const t = viewer.t;
  const rows = await ctx.store.db.selectFrom('webhook_deliveries as d').innerJoin('events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'e.type', 'd.state', 'd.attempts', 'd.last_error', 'd.updated_at_ms']).where('d.endpoint_id', '=', endpoint.id)
    .orderBy('d.created_at_ms', 'desc').limit(DELIVERY_ROWS).execute();
  const status = Number(endpoint.enabled) !== 1 ? 'disabled' : endpoint.failing_since_ms !== null ? 'failing' : 'ok';
  const table = rows.map((r) => [formatDate(Number(r.updated_at_ms), viewer.lang), r.type, r.state, String(r.attempts), r.last_error ?? '',
    html`<form method="post" action="/admin/tenants/${tenantId}/deliveries/${r.id}/replay">${hiddenCsrf(viewer)}<button type="submit">${t.replay}<span class="sr"> ${r.id}</span></button></form>`]);
  const caption = t.endpointDeliveries(endpoint.url);
  return html`<h3>${endpoint.url} · ${status}</h3>${dataTable(caption, [t.when, t.event, t.state, t.attempts, t.lastError, t.replay], table, t.noRows)}`;
}
