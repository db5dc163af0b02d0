import type { Ctx } from '../context.ts';
import type { Catalog } from '../i18n/en.ts';
import { toLedgerTransaction } from '../ledger/post-transaction.ts';
import { minorDigits } from '../money/currencies.ts';
import { csvText, fixedMajor } from '../receipts/transactions-csv.ts';
import { historyQuery } from '../wallet/list-transactions.ts';
import type { HistoryFilter } from './history-filter.ts';
import { withFilter } from './history-view.ts';
import { describeTransaction } from './describe-transaction.ts';

/**
 * Issue 24: `GET /billing/history.csv`, the history as the page filters it, newest first, at most
 * HISTORY_CSV_ROWS_MAX rows (the page says so beside the link; the API's transactions.csv streams everything).
 * RFC 4180 with a header row; text that a spreadsheet would run as a formula is defused (csvText). Money is a
 * plain decimal in major units with a dot and no grouping ("-1234.50"), always next to its ISO currency code,
 * so no locale can misread it.
 */
export const HISTORY_CSV_ROWS_MAX = 10_000;
export const HISTORY_CSV_COLUMNS = ['date_utc', 'kind', 'kind_label', 'description', 'number', 'amount', 'currency', 'balance_after', 'transaction_id'] as const;
/** Number ids per `IN (…)` lookup of their names. */
const NAME_LOOKUP_CHUNK = 500;

export interface HistoryCsv {
  text: string;
  rows: number;
  /** More rows matched than HISTORY_CSV_ROWS_MAX: the file holds the newest ones. */
  truncated: boolean;
}

export async function historyCsv(ctx: Ctx, tenantId: string, filter: HistoryFilter, t: Catalog): Promise<HistoryCsv> {
  const store = { db: ctx.store.reader(), dialect: ctx.store.dialect };
  const found = await withFilter(historyQuery(store, tenantId, undefined, HISTORY_CSV_ROWS_MAX + 1), filter).execute();
  const rows = found.slice(0, HISTORY_CSV_ROWS_MAX).map(toLedgerTransaction);
  const names = await numberNames(ctx, tenantId, [...new Set(rows.flatMap((r) => (r.numberId === null ? [] : [r.numberId])))]);
  const lines = [HISTORY_CSV_COLUMNS.join(',')];
  for (const tx of rows) {
    const digits = minorDigits(tx.currency);
    lines.push([
      new Date(tx.createdAtMs).toISOString(), tx.kind, csvText(t.kinds[tx.kind] ?? tx.kind), csvText(describeTransaction(t, tx)),
      csvText(tx.numberId === null ? null : names.get(tx.numberId) ?? tx.numberId), fixedMajor(tx.walletAmountMinor, digits), tx.currency,
      tx.walletBalanceAfterMinor === null ? '' : fixedMajor(tx.walletBalanceAfterMinor, digits), tx.id,
    ].join(','));
  }
  return { text: `${lines.join('\r\n')}\r\n`, rows: rows.length, truncated: found.length > HISTORY_CSV_ROWS_MAX };
}

async function numberNames(ctx: Ctx, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += NAME_LOOKUP_CHUNK) {
    const rows = await ctx.store.reader().selectFrom('numbers').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', ids.slice(i, i + NAME_LOOKUP_CHUNK)).execute();
    for (const r of rows) names.set(r.id, r.name);
  }
  return names;
}
