import type Stripe from 'stripe';
import { completeCheckout, completeCheckoutWithin, expireCheckout, failPayment, settleDelayedPayment } from '../checkout/payment-events.ts';
import type { MoneyTrx } from '../events/money-moved.ts';
import { onAutoTopupPaymentFailed, onAutoTopupPaymentSucceeded } from '../auto-topup/on-payment-intent.ts';
import { clawBackRefund } from '../refunds/claw-back-refund.ts';
import { closeDispute, openDispute } from '../refunds/disputes.ts';
import { disputeClosing, disputeFacts, paymentFailureFacts, refundFacts, sessionFacts } from './translate.ts';
import type { Ctx } from '../context.ts';
import { type PaymentOutcome, paymentOutcomeOf } from '../gateway/payment-outcome.ts';

export type EventHandler = (ctx: Ctx, event: Stripe.Event) => Promise<string>;

/**
 * Stripe event type → the capability function it feeds, with the translation between. Nothing here
 * decides; every other type is logged and ignored by the inbox.
 */
export const EVENT_HANDLERS: Record<string, EventHandler> = {
  'checkout.session.completed': (ctx, event) => completeCheckout(ctx, sessionFacts(event)),
  'checkout.session.async_payment_succeeded': (ctx, event) => settleDelayedPayment(ctx, sessionFacts(event), 'succeeded'),
  'checkout.session.async_payment_failed': (ctx, event) => settleDelayedPayment(ctx, sessionFacts(event), 'failed'),
  'checkout.session.expired': (ctx, event) => expireCheckout(ctx, sessionFacts(event)),
  // A PaymentIntent is an auto top-up's when Purse put the attempt id on it; otherwise a checkout's.
  'payment_intent.payment_failed': (ctx, event) => (isAutoTopup(event) ? onAutoTopupPaymentFailed(ctx, paymentOf(event)) : failPayment(ctx, paymentFailureFacts(event))),
  // Checkout orders are credited by the session events; payment_intent.succeeded only credits auto top-ups.
  'payment_intent.succeeded': (ctx, event) => onAutoTopupPaymentSucceeded(ctx, paymentOf(event)),
  'charge.refunded': (ctx, event) => clawBackRefund(ctx, refundFacts(event)),
  'charge.dispute.created': async (ctx, event) => openDispute(ctx, await disputeFacts(ctx, event)),
  'charge.dispute.closed': async (ctx, event) => {
    const { disputeId, outcome } = disputeClosing(event);
    return outcome === 'other' ? 'ignored_status' : closeDispute(ctx, { disputeId, outcome, opening: () => disputeFacts(ctx, event) });
  },
};

/** A handler's database-only form, run inside the inbox's transaction (inbox.ts). */
export interface EventHandlerWithin {
  /** Undefined, having written nothing, when this event needs the network after all: the inbox runs `EventHandler`. */
  handle(ctx: Ctx, m: MoneyTrx, event: Stripe.Event): Promise<string | undefined>;
  /**
   * The wallet (tenant id) the work would lock, if the event says: PostgreSQL batches it in that wallet's
   * lane (store/db.ts TransactOptions.key). Only a hint — a wrong one costs a wait, never correctness.
   */
  walletOf(event: Stripe.Event): string | undefined;
}

/**
 * Types whose handling is database work only (for the orders they mostly concern): the inbox stores,
 * handles and marks them processed in one commit (inbox.ts). The rest go the two-commit way.
 */
export const EVENT_HANDLERS_WITHIN: Record<string, EventHandlerWithin> = {
  'checkout.session.completed': {
    handle: (ctx, m, event) => completeCheckoutWithin(ctx, m, sessionFacts(event)),
    walletOf: (event) => sessionFacts(event).tenantId ?? undefined,
  },
};

export function handlerWithinOf(type: string): EventHandlerWithin | undefined {
  return Object.hasOwn(EVENT_HANDLERS_WITHIN, type) ? EVENT_HANDLERS_WITHIN[type] : undefined;
}

function paymentOf(event: Stripe.Event): PaymentOutcome {
  return paymentOutcomeOf(event.data.object as Stripe.PaymentIntent);
}

function isAutoTopup(event: Stripe.Event): boolean {
  return paymentOf(event).attemptId !== null;
}

export function handlerOf(type: string): EventHandler | undefined {
  return Object.hasOwn(EVENT_HANDLERS, type) ? EVENT_HANDLERS[type] : undefined;
}
