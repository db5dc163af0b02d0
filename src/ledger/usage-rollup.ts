import { precompiled, runPrecompiled } from '../store/precompiled.ts';
import type { Db } from '../store/db.ts';
import type { PostingInput, TransactionInput, TransactionKind } from './transaction-input.ts';

/**
 * The usage rollup (issue 24): spending per wallet per UTC hour, per number and description, kept in
 * `usage_hourly` so that a usage summary over millions of debits reads a few hundred rows. Written with
 * the debit itself — the same statement on PostgreSQL, the same savepoint on SQLite, one upsert per wallet
 * and hour for a whole combined batch (post-many.ts) — so it commits or rolls back with the money.
 * `purse ledger verify` proves it equals the ledger (usage_rollup_matches_ledger).
 */
export const SPENDING_KINDS: readonly TransactionKind[] = ['usage', 'hold_capture'];

export const ROLLUP_BUCKET_MS = 3_600_000;

export interface RollupDelta {
  tenantId: string;
  hourMs: bigint;
  numberId: string;
  description: string;
  currency: string;
  /** Positive: money spent. */
  amountMinor: bigint;
  count: bigint;
}

export const ROLLUP_COLUMNS = 'tenant_id, hour_ms, number_id, description, currency, amount_minor, count';
export const ROLLUP_CONFLICT = `on conflict (tenant_id, hour_ms, number_id, description) do update
  set amount_minor = usage_hourly.amount_minor + excluded.amount_minor, count = usage_hourly.count + excluded.count`;

/** The rollup's share of one transaction; undefined when it is not spending (a top-up, an adjustment…). */
export function rollupDelta(input: TransactionInput, walletPosting: PostingInput | undefined, nowMs: number): RollupDelta | undefined {
  if (!walletPosting || input.tenantId === null || !SPENDING_KINDS.includes(input.kind)) return undefined;
  return {
    tenantId: input.tenantId, hourMs: hourOf(nowMs), numberId: input.numberId ?? '', description: input.description ?? '',
    currency: input.currency, amountMinor: -walletPosting.amountMinor, count: 1n,
  };
}

export function hourOf(ms: number): bigint {
  return BigInt(ms - (ms % ROLLUP_BUCKET_MS));
}

/** One transaction's share, as its own statement (SQLite: in the debit's savepoint, no round trip). */
export async function addToRollup(db: Db, delta: RollupDelta): Promise<void> {
  const text = precompiled(db, 'rollup:one', () => `insert into usage_hourly (${ROLLUP_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?) ${ROLLUP_CONFLICT}`);
  await runPrecompiled(db, text, rollupParameters(delta));
}

export function rollupParameters(delta: RollupDelta): unknown[] {
  return [delta.tenantId, delta.hourMs, delta.numberId, delta.description, delta.currency, delta.amountMinor, delta.count];
}

/** Many transactions' shares summed by key: a combined batch writes one row per wallet, hour, number and description. */
export function sumDeltas(deltas: Iterable<RollupDelta>): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  for (const delta of deltas) {
    // Unambiguous: only the last part (the description) could hold a NUL.
    const key = `${delta.tenantId}\u0000${delta.hourMs}\u0000${delta.numberId}\u0000${delta.description}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.amountMinor += delta.amountMinor;
      seen.count += delta.count;
    } else {
      byKey.set(key, { ...delta });
    }
  }
  return [...byKey.values()];
}
