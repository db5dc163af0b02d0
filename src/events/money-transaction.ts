import type { Ctx } from '../context.ts';
import { assert } from '../errors/purse-error.ts';
import { type PlannedPosting, PostingRun, combinablePosting } from '../ledger/post-many.ts';
import { type Once, type PostResult, type TransactionInput, type TransactionKind, postTransaction, toLedgerTransaction, transactOnce } from '../ledger/post-transaction.ts';
import type { Combiner, Outcome } from '../store/commit-batcher.ts';
import type { Db, TransactOptions } from '../store/db.ts';
import { emit } from './emit.ts';
import type { MoneyTrx, WalletHook, WalletMoved } from './money-moved.ts';
import { emitWalletCrossings } from './wallet-crossings.ts';

/** Hooks every money transaction runs after each wallet move, before the ones the app adds (ctx.walletHooks). */
const BUILT_IN_WALLET_HOOKS: readonly WalletHook[] = [emitWalletCrossings];

/** Ledger kinds that take money back on the provider's word (refunds/): their moves are clawbacks (WalletMoved). */
export const CLAWBACK_KINDS: readonly TransactionKind[] = ['refund_clawback', 'dispute_loss'];

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
  const combine = then === undefined && combinablePosting(ctx.store.db, input) ? { combiner: postingCombiner(ctx), input } : undefined;
  const once = await moveMoney(ctx, async (m) => {
    const posted = await m.post(input);
    await then?.(m, posted);
    return posted;
  }, { key: input.tenantId ?? undefined, combine });
  return once.created ? once.value : { transaction: once.existing, created: false, walletAfter: null };
}

const COMBINERS = new WeakMap<Ctx, Combiner<Db>>();

/**
 * recordMoney for a run of postings in one batch (PostgreSQL): decided in order in memory and written
 * together (ledger/post-many.ts), then each one's wallet hooks, in order, as one by one. A posting whose
 * hooks may touch the wallet row (a crossing) ends a run: what came before is written, its hooks run,
 * the wallet is read again, and the next posting sees what its own UPDATE would have returned.
 */
function postingCombiner(ctx: Ctx): Combiner<Db> {
  let combiner = COMBINERS.get(ctx);
  if (!combiner) {
    combiner = { run: (db, inputs) => postTogether(ctx, db, inputs as TransactionInput[]) };
    COMBINERS.set(ctx, combiner);
  }
  return combiner;
}

async function postTogether(ctx: Ctx, db: Db, inputs: TransactionInput[]): Promise<Outcome[]> {
  const m = moneyTrx(ctx, db, ctx.nowMs());
  const hooks = walletHooks(ctx);
  const postings = await PostingRun.open(db, inputs, m.nowMs);
  const outcomes: Outcome[] = [];
  let pending: Array<{ index: number; planned: PlannedPosting }> = [];
  const flush = async () => {
    const posted = await postings.write(pending.map((p) => p.planned));
    for (const [i, { index, planned }] of pending.entries()) {
      const result = posted[i];
      assert(result?.walletAfter, `${planned.input.reference}: written`);
      await m.walletMoved(walletMoved(planned.input, result));
      outcomes[index] = { ok: true, value: result };
    }
    pending = [];
  };
  for (const [index, input] of inputs.entries()) {
    const decided = postings.plan(input);
    if (!decided.ok) {
      outcomes[index] = { ok: false, error: decided.error };
      continue;
    }
    pending.push({ index, planned: decided.planned });
    const provisional = walletMoved(input, { transaction: toLedgerTransaction({ ...decided.planned.row, seq: 0n }), created: true, walletAfter: decided.planned.after });
    if (hooks.every((hook) => hook.leavesWalletRow?.(provisional) === true)) continue;
    await flush();
    await postings.refresh(decided.planned.accountId);
  }
  await flush();
  return outcomes;
}

function walletMoved(input: TransactionInput, posted: PostResult): WalletMoved {
  assert(input.tenantId !== null && posted.walletAfter, `${input.reference}: a wallet posting has a tenant`);
  return {
    tenantId: input.tenantId, currency: input.currency, after: posted.walletAfter, transaction: posted.transaction,
    availableDeltaMinor: posted.transaction.walletAmountMinor - (input.heldDeltaMinor ?? 0n),
    clawback: CLAWBACK_KINDS.includes(input.kind),
  };
}

function walletHooks(ctx: Pick<Ctx, 'walletHooks'>): WalletHook[] {
  return [...BUILT_IN_WALLET_HOOKS, ...(ctx.walletHooks ?? [])];
}

/** A MoneyTrx over a transaction handle the caller already holds (a job claiming rows, say). */
export function moneyTrx(ctx: Pick<Ctx, 'walletHooks'>, db: Db, nowMs: number): MoneyTrx {
  const hooks = walletHooks(ctx);
  const m: MoneyTrx = {
    db,
    nowMs,
    emit: (event) => emit(db, event, nowMs),
    post: async (input) => {
      const posted = await postTransaction(db, input, nowMs);
      if (posted.walletAfter) await m.walletMoved(walletMoved(input, posted));
      return posted;
    },
    walletMoved: async (moved: WalletMoved) => {
      for (const hook of hooks) await hook(m, moved);
    },
  };
  return m;
}
