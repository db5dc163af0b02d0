import type Stripe from 'stripe';
import type { Ctx } from '../context.ts';
import { savePaymentMethod } from '../payment-methods/save-payment-method.ts';
import { attemptState, loadAttempt } from './config-store.ts';
import { creditAttempt } from './settle-attempt.ts';
import { failAttempt, requireAction } from './settle-failure.ts';

/** The attempt a PaymentIntent belongs to, from the metadata Purse put on it. */
export function attemptIdOf(intent: Stripe.PaymentIntent): string | undefined {
  return intent.metadata?.autoTopupAttemptId || undefined;
}

/**
 * `payment_intent.succeeded` for an auto top-up: the worker's off-session charge or the recovery page's
 * on-session payment. Credits the attempt once (creditAttempt). A recovery payment saved a card for
 * off-session use: it becomes the default, so the next auto top-up charges the card that now works.
 */
export async function onAutoTopupPaymentSucceeded(ctx: Ctx, intent: Stripe.PaymentIntent): Promise<string> {
  const attemptId = attemptIdOf(intent);
  if (!attemptId) return 'not_auto_topup';
  const attempt = await loadAttempt(ctx.store.db, attemptId);
  if (!attempt || attempt.tenant_id !== intent.metadata.tenantId) return 'unknown_attempt';
  const paymentMethod = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id;
  const isRecovery = attemptState(attempt) === 'action_required' && intent.setup_future_usage === 'off_session';
  if (isRecovery && paymentMethod) await savePaymentMethod(ctx, attempt.tenant_id, paymentMethod, { makeDefault: true });
  return creditAttempt(ctx, attempt.id, intent);
}

/**
 * `payment_intent.payment_failed` for an auto top-up: the same failure policy as the worker's confirm
 * response, applied once whichever arrives first. A failure on the recovery page changes nothing: the
 * customer can try again there.
 */
export async function onAutoTopupPaymentFailed(ctx: Ctx, intent: Stripe.PaymentIntent): Promise<string> {
  const attemptId = attemptIdOf(intent);
  if (!attemptId) return 'not_auto_topup';
  const attempt = await loadAttempt(ctx.store.db, attemptId);
  if (!attempt || attempt.tenant_id !== intent.metadata.tenantId) return 'unknown_attempt';
  if (attemptState(attempt) !== 'processing') return 'unchanged';
  const error = intent.last_payment_error;
  const failure = { code: error?.decline_code ?? error?.code ?? 'payment_failed', message: error?.message ?? 'The payment failed' };
  if (error?.code === 'authentication_required') return requireAction(ctx, attempt, failure, intent.id);
  return failAttempt(ctx, attempt.id, failure, intent.id);
}
