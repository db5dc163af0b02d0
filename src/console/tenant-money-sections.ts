import type { Ctx } from '../context.ts';
import { type Html, html } from '../web/html.ts';
import { formatDate, formatMoney } from '../i18n/locale.ts';
import type { ConsoleViewer } from './console-http.ts';
import { dataTable } from './console-shell.ts';
import { SECTION_ROWS } from './tenant-sections.ts';

/** The tenant page's money documents: orders, refunds, disputes, credit blocks, receipts (with PDF links). */
export async function tenantMoneySections(ctx: Ctx, viewer: ConsoleViewer, tenantId: string): Promise<Html> {
  const db = ctx.store.db;
  const [orders, refunds, disputes, blocks, receipts] = await Promise.all([
    db.selectFrom('checkout_orders').select(['id', 'purpose', 'state', 'amount_minor', 'currency', 'created_at_ms']).where('tenant_id', '=', tenantId).orderBy('created_at_ms', 'desc').limit(SECTION_ROWS).execute(),
    db.selectFrom('refund_clawbacks').innerJoin('wallets', 'wallets.tenant_id', 'refund_clawbacks.tenant_id')
      .select(['charge_id', 'amount_refunded_minor', 'clawed_back_minor', 'wallets.currency', 'refund_clawbacks.created_at_ms']).where('refund_clawbacks.tenant_id', '=', tenantId)
      .orderBy('refund_clawbacks.created_at_ms', 'desc').limit(SECTION_ROWS).execute(),
    db.selectFrom('disputes').select(['id', 'state', 'disputed_minor', 'currency', 'created_at_ms']).where('tenant_id', '=', tenantId).orderBy('created_at_ms', 'desc').limit(SECTION_ROWS).execute(),
    db.selectFrom('credit_blocks').select(['id', 'category', 'state', 'amount_minor', 'remaining_minor', 'currency', 'expires_at_ms', 'reason']).where('tenant_id', '=', tenantId).where('category', '<>', 'deficit')
      .orderBy('created_at_ms', 'desc').limit(SECTION_ROWS).execute(),
    db.selectFrom('receipts').select(['id', 'number', 'kind', 'currency', 'credited_minor', 'total_minor', 'issued_at_ms']).where('tenant_id', '=', tenantId).orderBy('serial', 'desc').limit(SECTION_ROWS).execute(),
  ]);
  const t = viewer.t;
  const money = (minor: bigint | null, currency: string) => (minor === null ? '' : formatMoney(minor, currency, viewer.lang));
  const when = (ms: bigint | null) => (ms === null ? '' : formatDate(Number(ms), viewer.lang));
  return html`<section id="orders"><h2>${t.orders}</h2>${dataTable(t.orders, [t.when, 'Id', t.kind, t.state, t.amount], orders.map((o) => [when(o.created_at_ms), o.id, o.purpose, o.state, money(o.amount_minor, o.currency)]), t.noRows)}</section>
<section id="refunds"><h2>${t.refunds}</h2>${dataTable(t.refunds, [t.when, 'Charge', t.refunded, t.clawedBack], refunds.map((r) => [when(r.created_at_ms), r.charge_id, money(r.amount_refunded_minor, r.currency), money(r.clawed_back_minor, r.currency)]), t.noRows)}</section>
<section id="disputes"><h2>${t.disputes}</h2>${dataTable(t.disputes, [t.when, 'Id', t.state, t.amount], disputes.map((d) => [when(d.created_at_ms), d.id, d.state, money(d.disputed_minor, d.currency)]), t.noRows)}</section>
<section id="credit-blocks"><h2>${t.creditBlocks}</h2>${dataTable(t.creditBlocks, ['Id', t.category, t.state, t.amount, t.remaining, t.expires, t.reason],
    blocks.map((b) => [b.id, b.category, b.state, money(b.amount_minor, b.currency), money(b.remaining_minor, b.currency), when(b.expires_at_ms), b.reason ?? '']), t.noRows)}</section>
<section id="receipts"><h2>${t.receipts}</h2>${dataTable(t.receipts, [t.when, t.number, t.kind, t.amount, t.total, 'PDF'],
    receipts.map((r) => [when(r.issued_at_ms), r.number, r.kind, money(r.credited_minor, r.currency), money(r.total_minor, r.currency),
      html`<a href="/admin/tenants/${tenantId}/receipts/${r.id}.pdf" download>${t.download}<span class="sr"> ${r.number}</span></a>`]), t.noRows)}</section>`;
}
