import type { Ctx } from '../context.ts';
import { type Html, html } from '../web/html.ts';
import { formatDate, formatMoney } from '../i18n/locale.ts';
import type { ConsoleViewer } from './console-http.ts';
import { dataTable } from './console-shell.ts';

/**
 * The tenant page's history: filters (kind, number, dates) and the same filters as a streamed CSV — the
 * billing export's own stream (receipts/transactions-csv.ts), read as the tenant would with its full key.
 */
export const HISTORY_ROWS = 20;
const KIND_PATTERN = /^[a-z][a-z_]{0,39}$/;
const NUMBER_PATTERN = /^num_[0-9A-Z]{26}$/;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const SEQ_PATTERN = /^[1-9][0-9]{0,18}$/;
const DAY_MS = 86_400_000;

export interface HistoryFilter {
  kind?: string | undefined;
  numberId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The seq the page starts below (the next-page link). */
  before?: string | undefined;
}

/** The filter from the query, or undefined when a part of it is not valid. */
export function parseHistoryFilter(query: Record<string, string | undefined>): HistoryFilter | undefined {
  const { kind, number: numberId, from, to, before } = query;
  const ok = (kind === undefined || KIND_PATTERN.test(kind)) && (numberId === undefined || NUMBER_PATTERN.test(numberId))
    && (from === undefined || dayMs(from) !== undefined) && (to === undefined || dayMs(to) !== undefined) && (before === undefined || SEQ_PATTERN.test(before));
  return ok ? { kind, numberId, from, to, before } : undefined;
}

function dayMs(day: string): number | undefined {
  const ms = DAY_PATTERN.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Newest first along the (tenant_id, seq) index, in the form wallet/list-transactions.ts historyQuery
 * explains (on PostgreSQL the tenant as a range, so the planner keeps the index order instead of walking the
 * primary key through other tenants' rows); one row more than shown says whether a next page exists.
 */
export async function readHistory(ctx: Ctx, tenantId: string, f: HistoryFilter) {
  const fromMs = f.from === undefined ? undefined : dayMs(f.from);
  const toMs = f.to === undefined ? undefined : dayMs(f.to);
  const rows = await ctx.store.db.selectFrom('ledger_transactions')
    .select(['seq', 'kind', 'description', 'number_id', 'wallet_amount_minor', 'wallet_balance_after_minor', 'created_at_ms'])
    .$if(ctx.store.dialect === 'sqlite', (qb) => qb.where('tenant_id', '=', tenantId))
    .$if(ctx.store.dialect === 'postgres', (qb) => qb.where('tenant_id', '>=', tenantId).where('tenant_id', '<=', tenantId))
    .$if(f.kind !== undefined, (qb) => qb.where('kind', '=', f.kind!))
    .$if(f.numberId !== undefined, (qb) => qb.where('number_id', '=', f.numberId!))
    .$if(fromMs !== undefined, (qb) => qb.where('created_at_ms', '>=', BigInt(fromMs!)))
    .$if(toMs !== undefined, (qb) => qb.where('created_at_ms', '<', BigInt(toMs! + DAY_MS)))
    .$if(f.before !== undefined, (qb) => qb.where('seq', '<', BigInt(f.before!)))
    .orderBy('tenant_id', 'desc').orderBy('seq', 'desc').limit(HISTORY_ROWS + 1).execute();
  return { rows: rows.slice(0, HISTORY_ROWS), nextBefore: rows.length > HISTORY_ROWS ? String(rows[HISTORY_ROWS - 1]!.seq) : undefined };
}

function linkQuery(f: HistoryFilter, extra: Record<string, string> = {}): string {
  const parts: Record<string, string> = { ...(f.kind ? { kind: f.kind } : {}), ...(f.numberId ? { number: f.numberId } : {}), ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}), ...extra };
  const text = new URLSearchParams(parts).toString();
  return text ? `?${text}` : '';
}

export function historySection(viewer: ConsoleViewer, tenant: { id: string; currency: string }, f: HistoryFilter, history: Awaited<ReturnType<typeof readHistory>>, numbers: Array<{ id: string; name: string }>): Html {
  const t = viewer.t;
  const money = (minor: bigint) => formatMoney(minor, tenant.currency, viewer.lang);
  const rows = history.rows.map((x) => [formatDate(Number(x.created_at_ms), viewer.lang), x.kind, x.description ?? '', x.number_id ?? '', money(x.wallet_amount_minor), x.wallet_balance_after_minor === null ? '' : money(x.wallet_balance_after_minor)]);
  const next = history.nextBefore ? html`<p class="pager"><a href="/admin/tenants/${tenant.id}${linkQuery(f, { before: history.nextBefore })}#history">${t.next}</a></p>` : '';
  return html`<section id="history"><h2>${t.history}</h2><form method="get" class="row" action="/admin/tenants/${tenant.id}#history">
<div><label for="h-kind">${t.kind}</label><input type="text" id="h-kind" name="kind" value="${f.kind ?? ''}" placeholder="${t.allKinds}"></div>
<div><label for="h-number">${t.number}</label><select id="h-number" name="number"><option value="">${t.allNumbers}</option>${numbers.map((n) => html`<option value="${n.id}"${n.id === f.numberId ? html` selected` : ''}>${n.name}</option>`)}</select></div>
<div><label for="h-from">${t.from}</label><input type="date" id="h-from" name="from" value="${f.from ?? ''}"></div>
<div><label for="h-to">${t.to}</label><input type="date" id="h-to" name="to" value="${f.to ?? ''}"></div>
<button type="submit">${t.filter}</button></form>
<p><a href="/admin/tenants/${tenant.id}/history.csv${linkQuery(f)}" download>${t.csv}</a></p>
${dataTable(t.history, [t.when, t.kind, t.description, t.number, t.amount, t.after], rows, t.noRows)}${next}</section>`;
}
