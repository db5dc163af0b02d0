import type Stripe from 'stripe';
import type { MoneyTrx, WalletHook, WalletMoved } from '../events/money-moved.ts';
import type { TransactionKind } from '../ledger/post-transaction.ts';
import type { Db } from '../store/db.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';
import type { Ctx } from '../context.ts';

/**
 * Events that arrived before what they depend on (issue 19): a refund or dispute of a charge whose top-up is
 * not credited yet. Stripe does not promise delivery order, so this is normal, not a fault: the event is
 * parked on the awaited credit's ledger reference (`stripe_events.waiting_for`, outcome `waiting`), never
 * counted as a failed attempt nor dead-lettered. The credit's own database transaction wakes it (the wallet
 * hook below: in the same commit, so no crash can lose the wake-up), and the retry job applies it. A parked
 * event is also re-examined every WAITING_RECHECK_MS and by reconcile, a net under the wake-up.
 */
export const WAITING_RECHECK_MS = 60_000;
export const WAITING_OUTCOME = 'waiting';
const CREDIT_KINDS: readonly TransactionKind[] = ['topup', 'auto_topup'];

/** Parks an event on `key`; its claim becomes the re-check time. Attempts are not counted. */
export async function parkEvent(db: Db, eventId: string, key: string, nowMs: number): Promise<void> {
  await db.updateTable('stripe_events')
    .set({ waiting_for: key, outcome: WAITING_OUTCOME, claimed_until_ms: BigInt(nowMs + WAITING_RECHECK_MS) })
    .where('id', '=', eventId).where('processed_at_ms', 'is', null).execute();
}

/**
 * The wallet hook (ctx.walletHooks): a credit (top-up or auto top-up) wakes the events parked on its
 * reference, in the credit's transaction: their claim is cleared, so the retry job takes them at once.
 * One indexed update of a partial index, only on credits; it never touches the wallet row.
 */
export const wakeEventsWaitingOnCredit: WalletHook = Object.assign(async (m: MoneyTrx, moved: WalletMoved) => {
  const transaction = moved.transaction;
  if (!transaction || !CREDIT_KINDS.includes(transaction.kind)) return;
  const text = precompiled(m.db, 'stripe_events:wake', () => 'update stripe_events set waiting_for = null, claimed_until_ms = null where waiting_for = ?');
  await runPrecompiled(m.db, text, [transaction.reference]);
}, { leavesWalletRow: () => true });

/**
 * Every stored event still waiting (parked or woken), claimed for this instance, for reconcile to apply
 * now: its effect may have become possible through a path that woke nothing (a credit reconcile itself made).
 */
export async function claimWaitingEvents(ctx: Ctx, claimMs: number): Promise<Stripe.Event[]> {
  const nowMs = ctx.nowMs();
  const rows = await ctx.store.db.selectFrom('stripe_events').select(['id', 'payload'])
    .where('processed_at_ms', 'is', null).where('failed_at_ms', 'is', null).where('outcome', '=', WAITING_OUTCOME)
    .orderBy('received_at_ms').execute();
  const claimed: Stripe.Event[] = [];
  for (const row of rows) {
    // A parked event's claim is only its re-check time: reconcile may take it over; a live claim of a woken one is respected.
    const taken = await ctx.store.db.updateTable('stripe_events').set({ claimed_until_ms: BigInt(nowMs + claimMs) })
      .where('id', '=', row.id).where('processed_at_ms', 'is', null)
      .where((eb) => eb.or([eb('waiting_for', 'is not', null), eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<=', BigInt(nowMs))]))
      .executeTakeFirst();
    if (taken.numUpdatedRows === 1n) claimed.push(JSON.parse(row.payload) as Stripe.Event);
  }
  return claimed;
}
