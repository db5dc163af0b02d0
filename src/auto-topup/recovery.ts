import type { Ctx } from '../context.ts';
import { ensureCustomer } from '../customers/ensure-customer.ts';
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
  const customerId = await ensureCustomer(ctx, attempt.tenant_id);
  const base = ctx.config.publicUrl.replace(/\/$/, '');
  return ctx.payments.createRecoveryCheckout({
    attemptId: attempt.id, tenantId: attempt.tenant_id, amountMinor: attempt.amount_minor, currency: attempt.currency, customerId,
    successUrl: `${base}/billing?topup=success&autoTopup=${attempt.id}`,
    cancelUrl: `${base}/billing?topup=cancelled&autoTopup=${attempt.id}`,
    expiresAtSeconds: Math.floor((ctx.nowMs() + RECOVERY_SESSION_LIFETIME_MS) / MS_PER_SECOND),
  });
}
