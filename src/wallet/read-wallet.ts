import { PurseError } from '../errors/purse-error.ts';
import { toMajorNumber } from '../money/money.ts';
import type { Ctx } from '../context.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';

export interface WalletView {
  currency: string;
  balance: number;
  held: number;
  available: number;
}

/**
 * O(1): one statement, the cached balance kept in step with the postings by the ledger. A hold past its
 * expiry reserves nothing even before the expiry job has released it, so its amount is left out of held
 * here (the sum runs over the tenant's lapsed-but-unreleased holds only: an index range that is usually empty).
 */
export async function readWallet(ctx: Ctx, tenantId: string): Promise<WalletView> {
  const w = await readWalletMinor(ctx, tenantId);
  return toWalletView(w.balanceMinor, w.heldMinor, w.currency);
}

/** The same read in integer minor units, for callers that compute or format money themselves (the billing page). */
export async function readWalletMinor(ctx: Ctx, tenantId: string): Promise<{ currency: string; balanceMinor: bigint; heldMinor: bigint }> {
  const nowMs = BigInt(ctx.nowMs());
  const { db } = ctx.store;
  const text = precompiled(db, 'wallet:read', () => `select currency, balance_minor, held_minor,
    (select cast(coalesce(sum(amount_minor), 0) as bigint) from holds where tenant_id = ? and state = 'held' and expires_at_ms <= ?) as lapsed_minor
    from wallets where tenant_id = ?`);
  const result = await runPrecompiled<{ currency: string; balance_minor: bigint; held_minor: bigint; lapsed_minor: bigint | null }>(db, text, [tenantId, nowMs, tenantId]);
  const row = result.rows[0];
  if (!row) throw new PurseError('NOT_FOUND');
  return { currency: row.currency, balanceMinor: row.balance_minor, heldMinor: row.held_minor - BigInt(row.lapsed_minor ?? 0n) };
}

export function toWalletView(balanceMinor: bigint, heldMinor: bigint, currency: string): WalletView {
  return {
    currency,
    balance: toMajorNumber(balanceMinor, currency),
    held: toMajorNumber(heldMinor, currency),
    available: toMajorNumber(balanceMinor - heldMinor, currency),
  };
}
