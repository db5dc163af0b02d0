import type Stripe from 'stripe';
import { onAutoTopupPaymentSucceeded } from '../../auto-topup/on-payment-intent.ts';
import type { Ctx } from '../../context.ts';

/** payment_intent.succeeded: auto top-up's charges (checkout orders are credited by the session events). */
export async function onPaymentIntentSucceeded(ctx: Ctx, event: Stripe.Event): Promise<string> {
  return onAutoTopupPaymentSucceeded(ctx, event.data.object as Stripe.PaymentIntent);
}
