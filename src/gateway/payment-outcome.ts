import type Stripe from 'stripe';

/**
 * A payment as Purse sees it (auto top-up's off-session charge, its recovery page's payment, the events about
 * either): what happened, in Purse's words, never the provider's object. Built here, the one place that knows
 * Stripe's PaymentIntent statuses and card-error shapes; capabilities decide on `status` alone.
 *
 * - `charged`: the money is taken;
 * - `needs_action`: the bank wants the customer (authentication); nothing taken;
 * - `declined`: refused (the card, the bank, or the customer's funds); `failure` says why;
 * - `processing`: the result comes later (a webhook settles it).
 */
export type PaymentStatus = 'charged' | 'needs_action' | 'declined' | 'processing';

export interface PaymentOutcome {
  status: PaymentStatus;
  /** The provider's id for this payment (a PaymentIntent id), null when a refusal came without one. */
  paymentId: string | null;
  amountMinor: bigint;
  /** ISO 4217, upper case. */
  currency: string;
  /** The auto top-up attempt and tenant Purse put on the payment, when it did. */
  attemptId: string | null;
  tenantId: string | null;
  /** The card paid with, when known. */
  paymentMethodId: string | null;
  /** The payment also saved its card for later off-session charges (the recovery page's payment). */
  savesCardForLater: boolean;
  failure: { code: string; message: string } | null;
}

const AUTHENTICATION_REQUIRED = 'authentication_required';

/** A PaymentIntent (a confirm response, a lookup, or an event's object) → its outcome. */
export function paymentOutcomeOf(intent: Stripe.PaymentIntent): PaymentOutcome {
  const error = intent.last_payment_error;
  return {
    status: statusOf(intent),
    paymentId: intent.id,
    // An event's object may be forged or trimmed: a missing amount reads as 0 and a missing currency as '',
    // which no attempt or order matches, so the payment is refused downstream instead of crashing here.
    amountMinor: Number.isSafeInteger(intent.amount) ? BigInt(intent.amount) : 0n,
    currency: typeof intent.currency === 'string' ? intent.currency.toUpperCase() : '',
    attemptId: intent.metadata?.['autoTopupAttemptId'] || null,
    tenantId: intent.metadata?.['tenantId'] || null,
    paymentMethodId: typeof intent.payment_method === 'string' ? intent.payment_method : (intent.payment_method?.id ?? null),
    savesCardForLater: intent.setup_future_usage === 'off_session',
    failure: error ? { code: error.decline_code ?? error.code ?? 'payment_failed', message: error.message ?? 'The payment failed' } : null,
  };
}

function statusOf(intent: Stripe.PaymentIntent): PaymentStatus {
  if (intent.status === 'succeeded') return 'charged';
  if (intent.status === 'requires_action') return 'needs_action';
  if (intent.status === 'requires_payment_method') return intent.last_payment_error?.code === AUTHENTICATION_REQUIRED ? 'needs_action' : 'declined';
  return 'processing';
}

/**
 * Stripe's answer to a confirm as an exception: a card error is an outcome (declined, or the bank wants the
 * customer), anything else is not and is returned as undefined for the caller to rethrow.
 */
export function cardErrorOutcome(err: unknown, charge: { amountMinor: bigint; currency: string; attemptId: string; tenantId: string; paymentMethodId: string }): PaymentOutcome | undefined {
  if ((err as { type?: string }).type !== 'StripeCardError') return undefined;
  const e = err as { payment_intent?: { id?: string }; decline_code?: string; code?: string; message: string };
  return {
    status: e.code === AUTHENTICATION_REQUIRED ? 'needs_action' : 'declined',
    paymentId: e.payment_intent?.id ?? null,
    amountMinor: charge.amountMinor, currency: charge.currency.toUpperCase(),
    attemptId: charge.attemptId, tenantId: charge.tenantId, paymentMethodId: charge.paymentMethodId,
    savesCardForLater: false,
    failure: { code: e.decline_code ?? e.code ?? 'card_declined', message: e.message },
  };
}
