import type Stripe from 'stripe';
import { findOrder } from '../../checkout/orders-store.ts';
import { settleOrder } from '../../checkout/fulfil-order.ts';
import { onAutoTopupPaymentFailed } from '../../auto-topup/on-payment-intent.ts';
import type { Ctx } from '../../context.ts';

/**
 * payment_intent.payment_failed for a checkout order. While the session is still open the customer can
 * try another card on the same page, so an open order only records the failure; a processing order
 * (delayed method) fails for good.
 */
export async function onPaymentIntentFailed(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const intent = event.data.object as Stripe.PaymentIntent;
  if (intent.metadata?.autoTopupAttemptId) return onAutoTopupPaymentFailed(ctx, intent);
  const orderId = intent.metadata?.orderId;
  if (!orderId) return 'not_ours';
  const order = await findOrder(ctx.store.db, orderId);
  if (!order) return 'unknown_order';
  const failure = { failure_code: intent.last_payment_error?.code ?? 'payment_failed', failure_message: (intent.last_payment_error?.message ?? null)?.slice(0, 500) ?? null };
  if (order.state === 'processing') return settleOrder(ctx, order.id, 'failed', { ...failure, stripe_payment_intent_id: intent.id });
  if (order.state === 'open') {
    await ctx.store.db.updateTable('checkout_orders').set({ ...failure, updated_at_ms: BigInt(ctx.nowMs()) }).where('id', '=', order.id).where('state', '=', 'open').execute();
    return 'recorded_attempt';
  }
  return 'unchanged';
}
