import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { toLedgerTransaction } from '../ledger/post-transaction.ts';
import { toMajorNumber } from '../money/money.ts';
import type { Db } from '../store/db.ts';
import { type TransactionDetailView, toTransactionView } from './transaction-view.ts';

/**
 * `GET /v1/billing/transactions/{id}`: one of the tenant's transactions and the credit blocks it moved
 * (signed, summing to its amount). Another tenant's transaction, or an unknown id, is a 404.
 */
export async function readTransaction(ctx: Ctx, tenantId: string, transactionId: string): Promise<TransactionDetailView> {
  const row = await ctx.store.db.selectFrom('ledger_transactions').selectAll()
    .where('id', '=', transactionId).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  const transaction = toLedgerTransaction(row);
  const moves = await blockMoves(ctx.store.db, tenantId, transactionId);
  return {
    ...toTransactionView(transaction),
    blocks: moves.map((m) => ({ id: m.block_id, amount: toMajorNumber(BigInt(m.amount_minor), transaction.currency) })),
  };
}

/** The blocks a transaction moved, in draw-down order (priority, earliest expiry with none last, oldest). */
function blockMoves(db: Db, tenantId: string, transactionId: string) {
  return db.selectFrom('credit_block_postings as p')
    .innerJoin('credit_blocks as b', 'b.id', 'p.block_id')
    .select(['p.block_id', 'p.amount_minor'])
    .where('p.transaction_id', '=', transactionId).where('b.tenant_id', '=', tenantId)
    .orderBy('b.priority').orderBy((eb) => eb.case().when('b.expires_at_ms', 'is', null).then(1).else(0).end())
    .orderBy('b.expires_at_ms').orderBy('b.created_at_ms').orderBy('b.id')
    .execute();
}
