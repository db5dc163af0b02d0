import type { Ctx } from '../context.ts';
import { assert } from '../errors/purse-error.ts';
import { type Once, type PostResult, type TransactionInput, postTransaction, transactOnce } from '../ledger/post-transaction.ts';
import type { Db, TransactOptions } from '../store/db.ts';
import { emit } from './emit.ts';
import type { MoneyTrx, WalletHook, WalletMoved } from './money-moved.ts';
import { emitWalletCrossings } from './wallet-crossings.ts';

/** Hooks every money transaction runs after each wallet move, before the ones the app adds (ctx.walletHooks). */
const BUILT_IN_WALLET_HOOKS: readonly WalletHook[] = [emitWalletCrossings];

/** Ledger kinds that take money back on the provider's word (refunds/): their moves are clawbacks (WalletMoved). */
export const CLAWBACK_KINDS: readonly string[] = ['refund_clawback', 'dispute_loss'];

/**
 * THE transaction entry point for every money path (top-up fulfilment, usage debit, hold place, capture,
 * void and expiry, adjustment, payment-method changes). `work` runs inside the store's group commit
 * (one batched database transaction, its own savepoint) and receives a MoneyTrx: wallet moves made
 * through it run the wallet hooks (events/wallet-crossings.ts, then ctx.walletHooks: auto top-up hangs
 * there), and its `emit` adds outbox rows — all committed with the ledger transaction or not at all.
 * A duplicate ledger reference rolls the whole work back and returns the stored transaction.
 * On PostgreSQL `work` may run more than once (see commit-batcher.ts): database work only.
 */
export function moveMoney<T>(ctx: Ctx, work: (m: MoneyTrx) => Promise<T>, opts: TransactOptions = {}): Promise<Once<T>> {
  return transactOnce(ctx.store.db, (trx) => work(moneyTrx(ctx, trx, ctx.nowMs())), opts);
}

/** One balanced ledger transaction through moveMoney; `then` adds rows to the same commit (an event). */
export async function recordMoney(ctx: Ctx, input: TransactionInput, then?: (m: MoneyTrx, posted: PostResult) => Promise<void>): Promise<PostResult> {
  const once = await moveMoney(ctx, async (m) => {
    const posted = await m.post(input);
    await then?.(m, posted);
    return posted;
  }, { key: input.tenantId ?? undefined });
  return once.created ? once.value : { transaction: once.existing, created: false, walletAfter: null };
}

/** A MoneyTrx over a transaction handle the caller already holds (a job claiming rows, say). */
export function moneyTrx(ctx: Pick<Ctx, 'walletHooks'>, db: Db, nowMs: number): MoneyTrx {
  const hooks = [...BUILT_IN_WALLET_HOOKS, ...(ctx.walletHooks ?? [])];
  const m: MoneyTrx = {
    db,
    nowMs,
    emit: (event) => emit(db, event, nowMs),
    post: async (input) => {
      const posted = await postTransaction(db, input, nowMs);
      if (posted.walletAfter) {
        assert(input.tenantId !== null, `${input.reference}: a wallet posting has a tenant`);
        await m.walletMoved({
          tenantId: input.tenantId, currency: input.currency, after: posted.walletAfter, transaction: posted.transaction,
          availableDeltaMinor: posted.transaction.walletAmountMinor - (input.heldDeltaMinor ?? 0n),
          clawback: CLAWBACK_KINDS.includes(input.kind),
        });
      }
      return posted;
    },
    walletMoved: async (moved: WalletMoved) => {
      for (const hook of hooks) await hook(m, moved);
    },
  };
  return m;
}
