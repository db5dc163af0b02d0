import type { Ctx } from '../context.ts';

/**
 * Issue 22: a receipt's card and the provider's receipt link (Stripe's charge `receipt_url`), read from the
 * charge after the credit committed — the crediting transaction never waits on the network, and the one-commit
 * webhook path has no room for a call. The job below completes every recent receipt still without the link;
 * a failed read is retried on its next run. Nothing here touches an amount.
 */
export const CHARGE_DETAILS_EVERY_MS = 15_000;
export const CHARGE_DETAILS_BATCH_ROWS = 50;
/** Receipts older than this without a link are left alone (a payment the provider no longer knows). */
export const CHARGE_DETAILS_WINDOW_MS = 24 * 60 * 60 * 1000;

export async function completeChargeDetails(ctx: Ctx): Promise<number> {
  const sinceMs = BigInt(ctx.nowMs() - CHARGE_DETAILS_WINDOW_MS);
  const rows = await ctx.store.db.selectFrom('receipts as r')
    .leftJoin('checkout_orders as o', 'o.id', 'r.order_id')
    .leftJoin('auto_topup_attempts as a', 'a.id', 'r.attempt_id')
    .select(['r.id', 'o.stripe_payment_intent_id as orderIntent', 'a.payment_intent_id as attemptIntent'])
    .where('r.kind', '=', 'receipt').where('r.stripe_receipt_url', 'is', null).where('r.issued_at_ms', '>=', sinceMs)
    .orderBy('r.issued_at_ms').limit(CHARGE_DETAILS_BATCH_ROWS).execute();
  let completed = 0;
  for (const row of rows) {
    const intentId = row.orderIntent ?? row.attemptIntent;
    if (!intentId) continue;
    try {
      const found = await ctx.payments.paymentReceipt(intentId);
      if (!found?.receiptUrl) continue;
      await ctx.store.transact((trx) => trx.updateTable('receipts').set((eb) => ({
        stripe_receipt_url: found.receiptUrl,
        // The card an auto top-up's attempt named stays unless the charge says otherwise (a recovery paid with another).
        card_brand: found.cardBrand ?? eb.ref('card_brand'), card_last4: found.cardLast4 ?? eb.ref('card_last4'),
      })).where('id', '=', row.id).where('stripe_receipt_url', 'is', null).execute());
      completed += 1;
    } catch (err) {
      ctx.log.warn({ receiptId: row.id, err: String((err as Error).message).slice(0, 200) }, 'receipt charge details not read; tried again on the next run');
    }
  }
  return completed;
}
