import { PurseError } from '../errors/purse-error.ts';
import { toMajorNumber } from '../money/money.ts';
import type { Ctx } from '../context.ts';

export interface WalletView {
  currency: string;
  balance: number;
  held: number;
  available: number;
}

/** O(1): one row read, the cached balance kept in step with the postings by the ledger. */
export async function readWallet(ctx: Ctx, tenantId: string): Promise<WalletView> {
  const row = await ctx.store.db
    .selectFrom('wallets')
    .select(['currency', 'balance_minor', 'held_minor'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return {
    currency: row.currency,
    balance: toMajorNumber(row.balance_minor, row.currency),
    held: toMajorNumber(row.held_minor, row.currency),
    available: toMajorNumber(row.balance_minor - row.held_minor, row.currency),
  };
}
