import type Stripe from 'stripe';
import { fulfilOrder, settleOrder } from '../../checkout/fulfil-order.ts';
import { idOf, orderOfSession, sessionMatchesOrder } from './order-of.ts';
import type { Ctx } from '../../context.ts';

/** checkout.session.async_payment_succeeded: the delayed payment settled → credit (once). */
export async function onAsyncPaymentSucceeded(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const session = event.data.object as Stripe.Checkout.Session;
  const order = await orderOfSession(ctx, session);
  if (!order) return 'unknown_order';
  if (order.purpose !== 'wallet_topup') return 'purpose_mismatch';
  if (!sessionMatchesOrder(ctx, session, order)) return 'amount_mismatch';
  return fulfilOrder(ctx, order.id, { stripe_payment_intent_id: idOf(session.payment_intent) });
}

/** checkout.session.async_payment_failed: the delayed payment failed → failed, nothing credited. */
export async function onAsyncPaymentFailed(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const session = event.data.object as Stripe.Checkout.Session;
  const order = await orderOfSession(ctx, session);
  if (!order) return 'unknown_order';
  return settleOrder(ctx, order.id, 'failed', {
    stripe_payment_intent_id: idOf(session.payment_intent),
    failure_code: 'async_payment_failed',
    failure_message: 'The delayed payment failed',
  });
}

/** checkout.session.expired: the customer never paid → expired (a paid order stays paid). */
export async function onCheckoutExpired(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const session = event.data.object as Stripe.Checkout.Session;
  const order = await orderOfSession(ctx, session);
  if (!order) return 'unknown_order';
  return settleOrder(ctx, order.id, 'expired');
}
