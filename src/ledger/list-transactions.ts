import { fieldError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { toLedgerTransaction } from './post-transaction.ts';
import { type TransactionView, toTransactionView } from './transaction-view.ts';

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;
const LIMIT_PATTERN = /^[0-9]+$/;
// A cursor is base64url of a positive decimal seq; anything else was not issued by us.
const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;
const SEQ_PATTERN = /^[1-9][0-9]{0,18}$/;

export interface TransactionPage {
  data: TransactionView[];
  nextCursor: string | null;
}

export interface PageQuery {
  limit?: string | undefined;
  cursor?: string | undefined;
}

/**
 * The tenant's ledger history, newest first. Keyset pagination on (tenant_id, seq): one index range
 * scan per page whatever the history size, and a page never shifts when new transactions arrive.
 */
export async function listTransactions(ctx: Ctx, tenantId: string, query: PageQuery): Promise<TransactionPage> {
  const limit = parseLimit(query.limit);
  const beforeSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  // One row more than asked tells whether another page exists without a count.
  const rows = await ctx.store.db
    .selectFrom('ledger_transactions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .$if(beforeSeq !== undefined, (qb) => qb.where('seq', '<', beforeSeq!))
    // Ordering by the whole (tenant_id, seq) index, not by seq alone: with seq alone PostgreSQL may walk the
    // primary key backwards and filter out other tenants' rows, which slows as they write.
    .orderBy('tenant_id', 'desc')
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((row) => toTransactionView(toLedgerTransaction(row))),
    nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
  };
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return PAGE_SIZE_DEFAULT;
  const limit = LIMIT_PATTERN.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= PAGE_SIZE_MAX)) throw fieldError('VALIDATION_ERROR', 'limit', `must be an integer from 1 to ${PAGE_SIZE_MAX}`);
  return limit;
}

export function encodeCursor(seq: bigint): string {
  return Buffer.from(seq.toString(), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): bigint {
  const text = CURSOR_PATTERN.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  // Node's decoder is lenient; only the exact encoding of a seq round-trips.
  if (!SEQ_PATTERN.test(text) || encodeCursor(BigInt(text)) !== cursor) {
    throw fieldError('CURSOR_INVALID', 'cursor', 'is not a cursor returned by this endpoint');
  }
  return BigInt(text);
}
