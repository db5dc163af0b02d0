import { sql } from 'kysely';
import type { Ctx } from '../context.ts';

/**
 * The overview's totals per UTC hour, currency and ledger kind, folded in from the ledger incrementally:
 * each fold reads only the transactions after the last folded seq (at most a batch), so no request
 * scans the ledger. The watermark moves in the same transaction as the totals, guarded against a
 * concurrent fold by its old value.
 *
 * The `console-rollup` job (jobs.ts) keeps the totals caught up in the background; a page request folds
 * at most a small tail, so the overview is current without a request ever paying for a backlog.
 *
 * PostgreSQL hands out seq at INSERT, and transactions commit in any order (group-commit lanes, other
 * writers): a seq below the watermark could still become visible after a fold passed it, and would never
 * be counted. There a fold stops at the first transaction younger than ROLLUP_SETTLE_MS, by which time any
 * lower seq has committed or rolled back. SQLite has one writer, so its commits come in seq order.
 */
export const ROLLUP_BATCH_ROWS = 20_000;
/** What an overview request folds itself at most: the tail since the job's last run. */
export const ROLLUP_REQUEST_ROWS = 2_000;
/** One job run folds at most this many batches, then yields to the other jobs. */
export const ROLLUP_RUN_BATCHES_MAX = 50;
export const ROLLUP_EVERY_MS = 5_000;
export const ROLLUP_SETTLE_MS = 10_000;
const HOUR_MS = 3_600_000;

type Fold = { hour_ms: bigint; currency: string; kind: string; amount_minor: bigint; count: bigint };

export async function foldLedgerTotals(ctx: Ctx, batchRows = ROLLUP_BATCH_ROWS): Promise<number> {
  const state = await ctx.store.db.selectFrom('console_rollup_state').select('last_seq').where('id', '=', 'ledger').executeTakeFirstOrThrow();
  const fetched = await ctx.store.db.selectFrom('ledger_transactions').select(['seq', 'created_at_ms', 'currency', 'kind', 'wallet_amount_minor'])
    .where('seq', '>', state.last_seq).orderBy('seq').limit(batchRows).execute();
  const settledBeforeMs = BigInt(ctx.nowMs() - ROLLUP_SETTLE_MS);
  const young = ctx.store.dialect === 'postgres' ? fetched.findIndex((r) => BigInt(r.created_at_ms) > settledBeforeMs) : -1;
  const rows = young === -1 ? fetched : fetched.slice(0, young);
  if (rows.length === 0) return 0;
  const sums = new Map<string, Fold>();
  for (const r of rows) {
    const hourMs = (BigInt(r.created_at_ms) / BigInt(HOUR_MS)) * BigInt(HOUR_MS);
    const key = `${hourMs}|${r.currency}|${r.kind}`;
    const entry = sums.get(key) ?? { hour_ms: hourMs, currency: r.currency, kind: r.kind, amount_minor: 0n, count: 0n };
    entry.amount_minor += BigInt(r.wallet_amount_minor);
    entry.count += 1n;
    sums.set(key, entry);
  }
  const lastSeq = rows.at(-1)!.seq;
  const folded = await ctx.store.db.transaction().execute(async (trx) => {
    const moved = await trx.updateTable('console_rollup_state').set({ last_seq: lastSeq }).where('id', '=', 'ledger').where('last_seq', '=', state.last_seq).executeTakeFirst();
    if (moved.numUpdatedRows !== 1n) return false;
    for (const entry of sums.values()) {
      await trx.insertInto('console_hourly_totals').values(entry).onConflict((oc) => oc.columns(['hour_ms', 'currency', 'kind']).doUpdateSet({
        amount_minor: sql`console_hourly_totals.amount_minor + excluded.amount_minor`,
        count: sql`console_hourly_totals.count + excluded.count`,
      })).execute();
    }
    return true;
  });
  return folded ? rows.length : 0;
}

/** The job: folds batch after batch until caught up (or ROLLUP_RUN_BATCHES_MAX), so a backlog never waits for page views. */
export async function catchUpLedgerTotals(ctx: Ctx, batchRows = ROLLUP_BATCH_ROWS): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < ROLLUP_RUN_BATCHES_MAX; batch += 1) {
    const folded = await foldLedgerTotals(ctx, batchRows);
    total += folded;
    if (folded < batchRows) break;
  }
  return total;
}
