import type { Ctx } from '../context.ts';
import { type PostResult, type TransactionInput, postTransaction, transactOnce } from '../ledger/post-transaction.ts';

/**
 * The ledger alone, without the money seam's hooks (production goes through events/money-transaction.ts
 * moveMoney, the only way in): one balanced transaction, at most once per reference. For ledger tests and
 * the in-process ledger bench; free of vitest so the bench can load it.
 */
export async function recordTransaction(ctx: Pick<Ctx, 'store' | 'nowMs'>, input: TransactionInput): Promise<PostResult> {
  const once = await transactOnce(ctx.store.db, (trx) => postTransaction(trx, input, ctx.nowMs()), { key: input.tenantId ?? undefined });
  return once.created ? once.value : { transaction: once.existing, created: false, walletAfter: null };
}
