import type { Ctx } from '../context.ts';
import type { PaymentOutcome } from '../gateway/payment-gateway.ts';
import { savePaymentMethod } from '../customers/save-payment-method.ts';
import { attemptState, loadAttempt } from './config-store.ts';
import { creditAttempt } from './settle-attempt.ts';
import { failAttempt, requireAction } from './settle-failure.ts';

/**
 * `payment_intent.succeeded` for an auto top-up: the worker's off-session charge or the recovery page's
 * on-session payment. Credits the attempt once (creditAttempt). A recovery payment saved a card for
 * off-session use: it becomes the default, so the next auto top-up charges the card that now works.
 */
export async function onAutoTopupPaymentSucceeded(ctx: Ctx, payment: PaymentOutcome): Promise<string> {
  if (!payment.attemptId) return 'not_auto_topup';
  const attempt = await loadAttempt(ctx.store.db, payment.attemptId);
  if (!attempt || attempt.tenant_id !== payment.tenantId) return 'unknown_attempt';
  const isRecovery = attemptState(attempt) === 'action_required' && payment.savesCardForLater;
  if (isRecovery && payment.paymentMethodId) await savePaymentMethod(ctx, attempt.tenant_id, payment.paymentMethodId, { makeDefault: true });
  return creditAttempt(ctx, attempt.id, payment);
}

/**
 * `payment_intent.payment_failed` for an auto top-up: the same failure policy as the worker's confirm
 * response, applied once whichever arrives first. A failure on the recovery page changes nothing: the
 * customer can try again there.
 */
export async function onAutoTopupPaymentFailed(ctx: Ctx, payment: PaymentOutcome): Promise<string> {
  if (!payment.attemptId) return 'not_auto_topup';
  const attempt = await loadAttempt(ctx.store.db, payment.attemptId);
  if (!attempt || attempt.tenant_id !== payment.tenantId) return 'unknown_attempt';
  if (attemptState(attempt) !== 'processing') return 'unchanged';
  const failure = payment.failure ?? { code: 'payment_failed', message: 'The payment failed' };
  if (payment.status === 'needs_action') return requireAction(ctx, attempt, failure, payment.paymentId);
  return failAttempt(ctx, attempt.id, failure, payment.paymentId);
}
