import type { Ctx } from '../context.ts';
import { ensureStripeCustomer } from '../stripe/customer.ts';
import { stripeIdempotencyKey } from '../stripe/gateway.ts';
import type { AttemptRow } from './config-store.ts';

/** Just under Stripe's longest Checkout Session life (24 h): the recovery link stays payable for most of a day. */
export const RECOVERY_SESSION_LIFETIME_MS = 23 * 60 * 60 * 1000;
const MS_PER_SECOND = 1000;

/**
 * An on-session Checkout page for the attempt's amount: the customer authenticates there, and the card is
 * saved for off-session use (`setup_future_usage=off_session`). Its PaymentIntent carries the attempt id,
 * so `payment_intent.succeeded` credits that attempt, once, and resumes auto top-up.
 */
export async function createRecoverySession(ctx: Ctx, attempt: AttemptRow): Promise<{ sessionId: string; url: string }> {
  const customer = await ensureStripeCustomer(ctx, attempt.tenant_id);
  const metadata = { autoTopupAttemptId: attempt.id, tenantId: attempt.tenant_id };
  const base = ctx.config.publicUrl.replace(/\/$/, '');
  const session = await ctx.stripe.client.checkout.sessions.create({
    mode: 'payment',
    customer,
    client_reference_id: attempt.id,
    line_items: [{ quantity: 1, price_data: { currency: attempt.currency.toLowerCase(), unit_amount: Number(attempt.amount_minor), product_data: { name: 'Wallet auto top-up' } } }],
    metadata,
    payment_intent_data: { metadata, setup_future_usage: 'off_session' },
    success_url: `${base}/billing?topup=success&autoTopup=${attempt.id}`,
    cancel_url: `${base}/billing?topup=cancelled&autoTopup=${attempt.id}`,
    expires_at: Math.floor((ctx.nowMs() + RECOVERY_SESSION_LIFETIME_MS) / MS_PER_SECOND),
  }, { idempotencyKey: stripeIdempotencyKey('auto_topup_recovery', attempt.id) });
  if (!session.url) throw new Error(`Stripe returned recovery session ${session.id} without a URL`);
  return { sessionId: session.id, url: session.url };
}
