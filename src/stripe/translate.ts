import type Stripe from 'stripe';
import type { PaymentFailureFacts, SessionFacts } from '../checkout/payment-events.ts';
import { idOf, toChargeFacts } from '../gateway/stripe-gateway.ts';
import type { DisputeFacts } from '../refunds/disputes.ts';
import type { RefundFacts } from '../refunds/claw-back-refund.ts';
import type { Ctx } from '../context.ts';
import type { ChargeFacts } from '../receipts/charge-facts.ts';

/**
 * Stripe's objects in Purse's terms. Pure and decision-free: which order, whether the purpose or amount
 * fits, is for the capability to judge. The event body was verified as Stripe's (signature) or fetched
 * from Stripe, so its shape is Stripe's wire format.
 */
const FAILURE_MESSAGE_MAX = 500;

export function sessionFacts(event: Stripe.Event): SessionFacts {
  const session = event.data.object as Stripe.Checkout.Session;
  return toSessionFacts(session);
}

export function toSessionFacts(session: Stripe.Checkout.Session): SessionFacts {
  return {
    sessionId: session.id,
    orderId: session.metadata?.orderId ?? session.client_reference_id ?? null,
    tenantId: session.metadata?.tenantId ?? null,
    mode: oneOf(session.mode, ['payment', 'setup'] as const),
    paymentStatus: oneOf(session.payment_status, ['paid', 'unpaid'] as const),
    subtotalMinor: typeof session.amount_subtotal === 'number' ? BigInt(session.amount_subtotal) : null,
    currency: session.currency ? session.currency.toUpperCase() : null,
    paymentIntentId: idOf(session.payment_intent),
    setupIntentId: idOf(session.setup_intent),
    charge: sessionCharge(session),
  };
}

/** Issue 22: the receipt's side of a paid session (total, tax, presentment, billing address). */
function sessionCharge(session: Stripe.Checkout.Session): ChargeFacts {
  const presentment = (session as { presentment_details?: { presentment_amount?: number; presentment_currency?: string } }).presentment_details;
  const address = session.customer_details?.address ?? null;
  return {
    totalMinor: typeof session.amount_total === 'number' ? BigInt(session.amount_total) : null,
    taxMinor: typeof session.total_details?.amount_tax === 'number' ? BigInt(session.total_details.amount_tax) : null,
    presentment: presentment && typeof presentment.presentment_amount === 'number' && presentment.presentment_currency
      ? { amountMinor: BigInt(presentment.presentment_amount), currency: presentment.presentment_currency.toUpperCase() } : null,
    billingAddress: address ? { name: session.customer_details?.name ?? null, line1: address.line1, line2: address.line2, postal_code: address.postal_code, city: address.city, state: address.state, country: address.country } : null,
  };
}

export function paymentFailureFacts(event: Stripe.Event): PaymentFailureFacts {
  const intent = event.data.object as Stripe.PaymentIntent;
  return {
    orderId: intent.metadata?.orderId ?? null,
    paymentIntentId: intent.id,
    code: intent.last_payment_error?.code ?? 'payment_failed',
    message: intent.last_payment_error?.message?.slice(0, FAILURE_MESSAGE_MAX) ?? null,
  };
}

/** A Stripe enum value Purse acts on, or `other` for the rest (Stripe adds values over time). */
function oneOf<T extends string>(value: string | null, known: readonly T[]): T | 'other' {
  return known.find((k) => k === value) ?? 'other';
}

/** charge.refunded carries the charge itself, with the cumulative amount refunded so far. */
export function refundFacts(event: Stripe.Event): RefundFacts {
  return toRefundFacts(event.data.object as Stripe.Charge);
}

export function toRefundFacts(charge: Stripe.Charge): RefundFacts {
  const facts = toChargeFacts(charge);
  return {
    chargeId: facts.chargeId, orderId: facts.orderId, attemptId: facts.attemptId, tenantId: facts.tenantId,
    chargeAmountMinor: facts.amountMinor, amountRefundedMinor: BigInt(charge.amount_refunded),
  };
}

/** A dispute names its charge; the charge (fetched) gives its amount and our order id. */
export async function disputeFacts(ctx: Ctx, event: Stripe.Event): Promise<DisputeFacts> {
  const dispute = event.data.object as Stripe.Dispute;
  const chargeId = idOf(dispute.charge);
  if (!chargeId) throw new Error(`dispute ${dispute.id} names no charge`);
  const charge = await ctx.payments.chargeFacts(chargeId);
  return {
    disputeId: dispute.id, chargeId, orderId: charge.orderId, attemptId: charge.attemptId, tenantId: charge.tenantId,
    disputedMinor: BigInt(dispute.amount), chargeAmountMinor: charge.amountMinor,
  };
}

/** How Stripe closed a dispute, in the two outcomes Purse acts on. */
export function disputeClosing(event: Stripe.Event): { disputeId: string; outcome: 'won' | 'lost' | 'other' } {
  const dispute = event.data.object as Stripe.Dispute;
  return { disputeId: dispute.id, outcome: oneOf(dispute.status, ['won', 'lost'] as const) };
}
