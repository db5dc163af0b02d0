import type Stripe from 'stripe';
import { fulfilOrder, settleOrder } from '../../checkout/fulfil-order.ts';
import { savePaymentMethodFromSetup } from '../../payment-methods/save-payment-method.ts';
import { idOf, orderOfSession, sessionMatchesOrder } from './order-of.ts';
import type { Ctx } from '../../context.ts';

/**
 * checkout.session.completed: paid → credit; unpaid (a delayed method) → processing, credited later by
 * async_payment_succeeded; setup mode → save the card.
 */
export async function onCheckoutCompleted(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const session = event.data.object as Stripe.Checkout.Session;
  const order = await orderOfSession(ctx, session);
  if (!order) return 'unknown_order';
  if (session.mode === 'setup') {
    if (order.purpose !== 'add_card') return 'purpose_mismatch';
    const saved = await savePaymentMethodFromSetup(ctx, order.tenant_id, idOf(session.setup_intent));
    return settleOrder(ctx, order.id, 'completed', { stripe_setup_intent_id: idOf(session.setup_intent), completed_at_ms: BigInt(ctx.nowMs()) })
      .then((moved) => `${saved}:${moved}`);
  }
  if (order.purpose !== 'wallet_topup') return 'purpose_mismatch';
  if (!sessionMatchesOrder(ctx, session, order)) return 'amount_mismatch';
  const paymentIntentId = idOf(session.payment_intent);
  if (session.payment_status === 'paid') return fulfilOrder(ctx, order.id, { stripe_payment_intent_id: paymentIntentId });
  if (session.payment_status === 'unpaid') return settleOrder(ctx, order.id, 'processing', { stripe_payment_intent_id: paymentIntentId });
  ctx.log.warn({ orderId: order.id, paymentStatus: session.payment_status }, 'completed session with an unexpected payment status');
  return 'ignored_payment_status';
}
