import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { type LedgerTransaction, toLedgerTransaction } from '../ledger/post-transaction.ts';
import type { HoldState } from '../wallet/hold-states.ts';
import { decodeCursor, encodeCursor, historyQuery, listLedgerTransactions } from '../wallet/list-transactions.ts';
import { type HistoryFilter, isFiltered } from './history-filter.ts';

/**
 * Issue 24: what the billing page's history and holds read, filtered. A filtered page walks the same
 * (tenant_id, seq) index as the unfiltered one, newest first, and examines at most HISTORY_SCAN_ROWS_MAX
 * entries per request: a rare kind in a long history costs the same as a common one, and when the walk stops
 * short the page says how far it looked and links on ("Search older").
 */
export const HISTORY_PAGE_SIZE = 20;
export const HISTORY_SCAN_ROWS_MAX = 5_000;
/** The number filter offers the tenant's first numbers by name; a number past them can still be named by id. */
export const NUMBER_OPTIONS_MAX = 50;
/** The page lists this many holds; the total reserved is always in the wallet figures. */
export const HOLD_LINES_MAX = 20;

export interface HistoryPage {
  data: LedgerTransaction[];
  nextCursor: string | null;
  isFirstPage: boolean;
  /** The walk stopped at HISTORY_SCAN_ROWS_MAX entries with more below: `nextCursor` searches on. */
  scanStopped: boolean;
}

export interface NumberOption {
  id: string;
  name: string;
}

export async function readNumbers(ctx: Ctx, tenantId: string): Promise<NumberOption[]> {
  return ctx.store.db.selectFrom('numbers').select(['id', 'name']).where('tenant_id', '=', tenantId)
    .orderBy('created_at_ms').orderBy('id').limit(NUMBER_OPTIONS_MAX).execute();
}

export async function numberBelongs(ctx: Ctx, tenantId: string, numberId: string): Promise<boolean> {
  const row = await ctx.store.db.selectFrom('numbers').select('id').where('id', '=', numberId).where('tenant_id', '=', tenantId).executeTakeFirst();
  return row !== undefined;
}

/** One page of history, newest first. A bad cursor shows the first page. */
export async function readHistory(ctx: Ctx, tenantId: string, filter: HistoryFilter, cursor: string | undefined): Promise<HistoryPage> {
  try {
    return await readPage(ctx, tenantId, filter, cursor);
  } catch (err) {
    if (!(err instanceof PurseError) || err.code !== 'CURSOR_INVALID') throw err;
    return readPage(ctx, tenantId, filter, undefined);
  }
}

async function readPage(ctx: Ctx, tenantId: string, filter: HistoryFilter, cursor: string | undefined): Promise<HistoryPage> {
  const isFirstPage = cursor === undefined;
  if (!isFiltered(filter)) {
    const page = await listLedgerTransactions(ctx, tenantId, { limit: String(HISTORY_PAGE_SIZE), cursor });
    return { ...page, isFirstPage, scanStopped: false };
  }
  const store = { db: ctx.store.reader(), dialect: ctx.store.dialect };
  const beforeSeq = cursor === undefined ? undefined : decodeCursor(cursor);
  // The lowest seq this request may examine: the HISTORY_SCAN_ROWS_MAX-th entry below the cursor (an index-only walk).
  const floor = await historyQuery(store, tenantId, beforeSeq, 1).clearSelect().select(['seq', 'created_at_ms'])
    .offset(HISTORY_SCAN_ROWS_MAX - 1).executeTakeFirst();
  const rows = await withFilter(historyQuery(store, tenantId, beforeSeq, HISTORY_PAGE_SIZE + 1), filter)
    .$if(floor !== undefined, (qb) => qb.where('seq', '>=', floor!.seq))
    .execute();
  const page = rows.slice(0, HISTORY_PAGE_SIZE);
  if (rows.length > HISTORY_PAGE_SIZE) return { data: page.map(toLedgerTransaction), nextCursor: encodeCursor(page[page.length - 1]!.seq), isFirstPage, scanStopped: false };
  // Below the floor lie more entries, unless the walk already passed the start of the date range.
  const more = floor !== undefined && !(filter.fromMs !== null && Number(floor.created_at_ms) < filter.fromMs);
  return { data: page.map(toLedgerTransaction), nextCursor: more ? encodeCursor(floor.seq) : null, isFirstPage, scanStopped: more };
}

type HistoryQuery = ReturnType<typeof historyQuery>;

/** The filter's conditions on a history query (the CSV download uses the same). */
export function withFilter<Q extends HistoryQuery>(qb: Q, f: HistoryFilter): Q {
  return qb
    .$if(f.kind !== null, (q) => q.where('kind', '=', f.kind!))
    .$if(f.numberId !== null, (q) => q.where('number_id', '=', f.numberId!))
    .$if(f.fromMs !== null, (q) => q.where('created_at_ms', '>=', BigInt(f.fromMs!)))
    .$if(f.toMs !== null, (q) => q.where('created_at_ms', '<=', BigInt(f.toMs!))) as Q;
}

export interface HoldLine {
  id: string;
  amountMinor: bigint;
  capturedMinor: bigint;
  description: string | null;
  numberName: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  closedAtMs: number | null;
}

/**
 * The tenant's holds in one state, from the (tenant_id, state, expires_at_ms) index: open ones soonest to lapse
 * first, ended ones latest first. A held hold past its expiry counts as expired (the job may not have run yet).
 */
export async function readHolds(ctx: Ctx, tenantId: string, state: HoldState): Promise<HoldLine[]> {
  const now = BigInt(ctx.nowMs());
  const rows = await ctx.store.db.selectFrom('holds').leftJoin('numbers', 'numbers.id', 'holds.number_id')
    .select(['holds.id', 'holds.amount_minor', 'holds.captured_minor', 'holds.description', 'numbers.name as number_name', 'holds.created_at_ms', 'holds.expires_at_ms', 'holds.closed_at_ms'])
    .where('holds.tenant_id', '=', tenantId)
    .$if(state === 'held', (qb) => qb.where('holds.state', '=', 'held').where('holds.expires_at_ms', '>', now))
    .$if(state === 'expired', (qb) => qb.where((eb) => eb.or([eb('holds.state', '=', 'expired'), eb.and([eb('holds.state', '=', 'held'), eb('holds.expires_at_ms', '<=', now)])])))
    .$if(state !== 'held' && state !== 'expired', (qb) => qb.where('holds.state', '=', state))
    .orderBy('holds.expires_at_ms', state === 'held' ? 'asc' : 'desc').limit(HOLD_LINES_MAX).execute();
  return rows.map((r) => ({
    id: r.id, amountMinor: BigInt(r.amount_minor), capturedMinor: BigInt(r.captured_minor), description: r.description, numberName: r.number_name,
    createdAtMs: Number(r.created_at_ms), expiresAtMs: Number(r.expires_at_ms), closedAtMs: r.closed_at_ms === null ? null : Number(r.closed_at_ms),
  }));
}

/** Whether the tenant ever held anything (the holds list and its filter are shown only then). */
export async function hasHolds(ctx: Ctx, tenantId: string): Promise<boolean> {
  // holds_tenant_idempotency_key starts with tenant_id: one index probe.
  return (await ctx.store.db.selectFrom('holds').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst()) !== undefined;
}
