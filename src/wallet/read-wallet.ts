import { sql } from 'kysely';
import { PurseError } from '../errors/purse-error.ts';
import { toMajorNumber } from '../money/money.ts';
import type { Ctx } from '../context.ts';

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
  const row = await ctx.store.db
    .selectFrom('wallets')
    .select(['currency', 'balance_minor', 'held_minor'])
    .select((eb) => eb
      .selectFrom('holds')
      .select(sql<bigint>`CAST(COALESCE(SUM(amount_minor), 0) AS bigint)`.as('total'))
      .where('holds.tenant_id', '=', tenantId)
      .where('holds.state', '=', 'held')
      .where('holds.expires_at_ms', '<=', nowMs)
      .as('lapsed_minor'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
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
