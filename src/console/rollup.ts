import { sql } from 'kysely';
import type { Ctx } from '../context.ts';

/**
 * The overview's totals per UTC hour, currency and ledger kind, folded in from the ledger incrementally:
 * each call reads only the transactions after the last folded seq (at most a batch), so no request
 * scans the ledger. The watermark moves in the same transaction as the totals, guarded against a
 * concurrent fold by its old value.
 */
export const ROLLUP_BATCH_ROWS = 20_000;
const HOUR_MS = 3_600_000;

export async function foldLedgerTotals(ctx: Ctx): Promise<number> {
  const state = await ctx.store.db.selectFrom('console_rollup_state').select('last_seq').where('id', '=', 'ledger').executeTakeFirstOrThrow();
  const rows = await ctx.store.db.selectFrom('ledger_transactions').select(['seq', 'created_at_ms', 'currency', 'kind', 'wallet_amount_minor'])
    .where('seq', '>', state.last_seq).orderBy('seq').limit(ROLLUP_BATCH_ROWS).execute();
  if (rows.length === 0) return 0;
  const sums = new Map<string, { hour_ms: bigint; currency: string; kind: string; amount_minor: bigint; count: bigint }>();
  for (const r of rows) {
    const hourMs = (BigInt(r.created_at_ms) / BigInt(HOUR_MS)) * BigInt(HOUR_MS);
    const key = `${hourMs}|${r.currency}|${r.kind}`;
    const entry = sums.get(key) ?? { hour_ms: hourMs, currency: r.currency, kind: r.kind, amount_minor: 0n, count: 0n };
    entry.amount_minor += BigInt(r.wallet_amount_minor);
    entry.count += 1n;
    sums.set(key, entry);
  }
  const lastSeq = rows.at(-1)!.seq;
  await ctx.store.db.transaction().execute(async (trx) => {
    const moved = await trx.updateTable('console_rollup_state').set({ last_seq: lastSeq }).where('id', '=', 'ledger').where('last_seq', '=', state.last_seq).executeTakeFirst();
    if (moved.numUpdatedRows !== 1n) return;
    for (const entry of sums.values()) {
      await trx.insertInto('console_hourly_totals').values(entry).onConflict((oc) => oc.columns(['hour_ms', 'currency', 'kind']).doUpdateSet({
        amount_minor: sql`console_hourly_totals.amount_minor + excluded.amount_minor`,
        count: sql`console_hourly_totals.count + excluded.count`,
      })).execute();
    }
  });
  return rows.length;
}
