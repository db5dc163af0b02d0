import type Stripe from 'stripe';
import { onAsyncPaymentFailed, onAsyncPaymentSucceeded, onCheckoutExpired } from './checkout-async.ts';
import { onCheckoutCompleted } from './checkout-completed.ts';
import { onPaymentIntentFailed } from './payment-failed.ts';
import { onPaymentIntentSucceeded } from './payment-succeeded.ts';
import type { Ctx } from '../../context.ts';

export type EventHandler = (ctx: Ctx, event: Stripe.Event) => Promise<string>;

/** One handler per event type Purse reacts to; every other type is logged and ignored. */
export const EVENT_HANDLERS: Record<string, EventHandler> = {
  'checkout.session.completed': onCheckoutCompleted,
  'checkout.session.async_payment_succeeded': onAsyncPaymentSucceeded,
  'checkout.session.async_payment_failed': onAsyncPaymentFailed,
  'checkout.session.expired': onCheckoutExpired,
  'payment_intent.payment_failed': onPaymentIntentFailed,
  'payment_intent.succeeded': onPaymentIntentSucceeded,
};
