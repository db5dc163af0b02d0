import type { Ctx } from '../context.ts';
import { type Html, html } from '../web/html.ts';
import { formatDate, formatMoney } from '../i18n/locale.ts';
import type { ConsoleViewer } from './console-http.ts';
import { dataTable } from './console-shell.ts';

/** The tenant page's other sections: numbers, cards, open holds, recent auto top-up attempts, webhook endpoints. */
const SECTION_ROWS = 10;

export async function tenantSections(ctx: Ctx, viewer: ConsoleViewer, tenantId: string): Promise<Html> {
  const db = ctx.store.reader(); // console lists tolerate bounded staleness (issue 25)
  const [numbers, cards, holds, attempts, endpoints] = await Promise.all([
    db.selectFrom('numbers').select(['id', 'name']).where('tenant_id', '=', tenantId).orderBy('created_at_ms').limit(SECTION_ROWS).execute(),
    db.selectFrom('payment_methods').select(['brand', 'last4', 'exp_month', 'exp_year', 'is_default']).where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null).limit(SECTION_ROWS).execute(),
    db.selectFrom('holds').select(['id', 'amount_minor', 'currency', 'expires_at_ms']).where('tenant_id', '=', tenantId).where('state', '=', 'held').orderBy('expires_at_ms').limit(SECTION_ROWS).execute(),
    db.selectFrom('auto_topup_attempts').select(['id', 'state', 'amount_minor', 'currency', 'failure_message', 'created_at_ms']).where('tenant_id', '=', tenantId).orderBy('created_at_ms', 'desc').limit(SECTION_ROWS).execute(),
    db.selectFrom('webhook_endpoints').select(['id', 'url', 'enabled', 'failing_since_ms']).where('tenant_id', '=', tenantId).limit(SECTION_ROWS).execute(),
  ]);
  const t = viewer.t;
  const money = (minor: bigint, currency: string) => formatMoney(BigInt(minor), currency, viewer.lang);
  return html`<section><h2>Numbers</h2>${dataTable('Numbers', ['Id', t.name], numbers.map((n) => [n.id, n.name]), t.noRows)}</section>
<section><h2>Cards</h2>${dataTable('Cards', ['Card', 'Expires', 'Default'], cards.map((c) => [`${c.brand} ${c.last4}`, `${c.exp_month}/${c.exp_year}`, Number(c.is_default) === 1 ? '✓' : '']), t.noRows)}</section>
<section><h2>${t.holds}</h2>${dataTable(t.holds, ['Id', t.amount, 'Expires'], holds.map((h) => [h.id, money(h.amount_minor, h.currency), formatDate(Number(h.expires_at_ms), viewer.lang)]), t.noRows)}</section>
<section><h2>${t.autoTopup}: ${t.attempts}</h2>${dataTable(t.attempts, [t.when, t.state, t.amount, t.lastError], attempts.map((a) => [formatDate(Number(a.created_at_ms), viewer.lang), a.state, money(a.amount_minor, a.currency), a.failure_message ?? '']), t.noRows)}</section>
<section><h2>${t.endpoints}</h2>${dataTable(t.endpoints, ['URL', t.status], endpoints.map((e) => [e.url, Number(e.enabled) !== 1 ? 'disabled' : e.failing_since_ms !== null ? 'failing' : 'ok']), t.noRows)}</section>`;
}
