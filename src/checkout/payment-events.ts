import { creditLockedOrder, fulfilOrder, recordFailedAttempt, settleLockedOrder, settleOrder } from './fulfil-order.ts';
import { findOrder, lockOrder, type Order } from './orders-store.ts';
import { type Purpose, isTerminal } from './order-states.ts';
import { savePaymentMethodFromSetup } from '../customers/save-payment-method.ts';
import type { MoneyTrx } from '../events/money-moved.ts';
import type { Ctx } from '../context.ts';
import type { ChargeFacts } from '../receipts/charge-facts.ts';

/**
 * What the payment provider told us about a checkout page, in Purse's terms (the Stripe adapter
 * translates its events into these). The decisions — whose order, which purpose, does the amount match —
 * are made here, by the capability that owns orders.
 */
export interface SessionFacts {
  sessionId: string;
  /** From our metadata (or client_reference_id). */
  orderId: string | null;
  /** From our metadata: whose wallet completing it would move. A hint for batching only; the order decides. */
  tenantId: string | null;
  mode: 'payment' | 'setup' | 'other';
  paymentStatus: 'paid' | 'unpaid' | 'other';
  /** Pre-tax subtotal in the order's currency; Adaptive Pricing changes only the presentment side. */
  subtotalMinor: bigint | null;
  /** Upper-case ISO code, or null when the provider sent none. */
  currency: string | null;
  paymentIntentId: string | null;
  setupIntentId: string | null;
  /** Issue 22: the charge's total, tax, presentment and billing address, for the receipt; absent when not sent. */
  charge?: ChargeFacts;
}

export interface PaymentFailureFacts {
  orderId: string | null;
  paymentIntentId: string;
  code: string;
  message: string | null;
}

type Completion = (ctx: Ctx, order: Order, s: SessionFacts) => Promise<string>;
/** A completion that does database work only, inside a money transaction the caller holds (order locked). */
type CompletionWithin = (ctx: Ctx, m: MoneyTrx, order: Order, s: SessionFacts) => Promise<string>;

interface CompletionRule {
  mode: SessionFacts['mode'];
  paid: boolean;
  complete: Completion;
  /** Absent where completing calls the payment provider (saving a card): never inside a transaction. */
  completeWithin?: CompletionWithin;
  done: string;
}

/** Per purpose: the kind of page that may complete it, whether it is paid for, and what completing it does. */
const COMPLETIONS: Record<Purpose, CompletionRule> = {
  wallet_topup: { mode: 'payment', paid: true, complete: completeTopup, completeWithin: completeTopupWithin, done: 'already_credited' },
  add_card: { mode: 'setup', paid: false, complete: completeAddCard, done: 'already_completed' },
};

/** checkout.session.completed: paid → credit; unpaid (a delayed method) → processing; setup → save the card. */
export async function completeCheckout(ctx: Ctx, s: SessionFacts): Promise<string> {
  const judged = judgeCompletion(await orderOfSession(ctx, s), s);
  return 'outcome' in judged ? judged.outcome : judged.rule.complete(ctx, judged.order, s);
}

/**
 * completeCheckout inside a money transaction the caller holds (the webhook inbox's one-commit path): the
 * order is read and locked in it, and the completion commits with it. Undefined, having written nothing,
 * when completing this order needs the payment provider: the caller completes it by completeCheckout.
 */
export async function completeCheckoutWithin(ctx: Ctx, m: MoneyTrx, s: SessionFacts): Promise<string | undefined> {
  const judged = judgeCompletion(await orderOfSession(ctx, s, (orderId) => lockOrder(m.db, ctx.store.dialect, orderId)), s);
  if ('outcome' in judged) return judged.outcome;
  return judged.rule.completeWithin?.(ctx, m, judged.order, s);
}

/** What every completion first decides: an outcome already, or the rule that completes this order. */
function judgeCompletion(order: Order | undefined, s: SessionFacts): { outcome: string } | { rule: CompletionRule; order: Order } {
  if (!order) return { outcome: 'unknown_order' };
  const rule = COMPLETIONS[order.purpose];
  if (rule.mode !== s.mode) return { outcome: 'purpose_mismatch' };
  // A finished order needs nothing more (and no call to Stripe): redeliveries and reconcile runs stop here.
  if (isTerminal(order.purpose, order.state)) return { outcome: rule.done };
  return { rule, order };
}

async function completeTopup(ctx: Ctx, order: Order, s: SessionFacts): Promise<string> {
  const step = topupStep(ctx, order, s);
  const patch = { stripe_payment_intent_id: s.paymentIntentId };
  if (step === 'credit') return fulfilOrder(ctx, order.id, patch, s.charge);
  if (step === 'processing') return settleOrder(ctx, order.id, 'processing', patch);
  return step;
}

async function completeTopupWithin(ctx: Ctx, m: MoneyTrx, order: Order, s: SessionFacts): Promise<string> {
  const step = topupStep(ctx, order, s);
  const patch = { stripe_payment_intent_id: s.paymentIntentId };
  if (step === 'credit') return creditLockedOrder(ctx, m, order, patch, s.charge);
  if (step === 'processing') return settleLockedOrder(m.db, ctx, order, 'processing', patch);
  return step;
}

/** A completed top-up page: credit it, wait for its delayed payment, or an outcome that does neither. */
function topupStep(ctx: Ctx, order: Order, s: SessionFacts): 'credit' | 'processing' | 'amount_mismatch' | 'ignored_payment_status' {
  if (!sessionMatchesOrder(ctx, s, order)) return 'amount_mismatch';
  if (s.paymentStatus === 'paid') return 'credit';
  if (s.paymentStatus === 'unpaid') return 'processing';
  ctx.log.warn({ orderId: order.id, paymentStatus: s.paymentStatus }, 'completed session with an unexpected payment status');
  return 'ignored_payment_status';
}

async function completeAddCard(ctx: Ctx, order: Order, s: SessionFacts): Promise<string> {
  const saved = await savePaymentMethodFromSetup(ctx, order.tenant_id, s.setupIntentId);
  const moved = await settleOrder(ctx, order.id, 'completed', { stripe_setup_intent_id: s.setupIntentId, completed_at_ms: BigInt(ctx.nowMs()) });
  return `${saved}:${moved}`;
}

/** checkout.session.async_payment_succeeded / _failed: the delayed payment settled. */
export async function settleDelayedPayment(ctx: Ctx, s: SessionFacts, outcome: 'succeeded' | 'failed'): Promise<string> {
  const order = await orderOfSession(ctx, s);
  if (!order) return 'unknown_order';
  if (outcome === 'failed') {
    return settleOrder(ctx, order.id, 'failed', {
      stripe_payment_intent_id: s.paymentIntentId, failure_code: 'async_payment_failed', failure_message: 'The delayed payment failed',
    });
  }
  if (!COMPLETIONS[order.purpose].paid) return 'purpose_mismatch';
  if (!sessionMatchesOrder(ctx, s, order)) return 'amount_mismatch';
  return fulfilOrder(ctx, order.id, { stripe_payment_intent_id: s.paymentIntentId });
}

/** checkout.session.expired: the customer never paid → expired (a paid order stays paid). */
export async function expireCheckout(ctx: Ctx, s: SessionFacts): Promise<string> {
  const order = await orderOfSession(ctx, s);
  if (!order) return 'unknown_order';
  return settleOrder(ctx, order.id, 'expired');
}

/**
 * payment_intent.payment_failed for a checkout order. While the page is still open the customer can try
 * another card, so the machine only records the attempt; a processing order (delayed method) fails.
 */
export async function failPayment(ctx: Ctx, f: PaymentFailureFacts): Promise<string> {
  if (!f.orderId) return 'not_ours';
  const failure = { failure_code: f.code, failure_message: f.message };
  return recordFailedAttempt(ctx, f.orderId, { ...failure, stripe_payment_intent_id: f.paymentIntentId }, failure);
}

/** The order a checkout page belongs to: by our metadata, confirmed by the session id we stored. */
async function orderOfSession(ctx: Ctx, s: SessionFacts, read: (orderId: string) => Promise<Order | undefined> = (orderId) => findOrder(ctx.store.db, orderId)): Promise<Order | undefined> {
  if (!s.orderId) return undefined;
  const order = await read(s.orderId);
  if (!order) return undefined;
  if (order.stripe_session_id !== null && order.stripe_session_id !== s.sessionId) {
    ctx.log.error({ orderId: order.id, storedSession: order.stripe_session_id, eventSession: s.sessionId }, 'checkout session does not match the order');
    return undefined;
  }
  return order;
}

/** A paid page must be for exactly the order's amount and currency; anything else is not credited and is logged loudly. */
function sessionMatchesOrder(ctx: Ctx, s: SessionFacts, order: Order): boolean {
  const matches = s.subtotalMinor !== null && order.amount_minor !== null && s.subtotalMinor === order.amount_minor && s.currency === order.currency;
  if (!matches) {
    ctx.log.error(
      { orderId: order.id, orderAmountMinor: String(order.amount_minor), orderCurrency: order.currency, sessionSubtotal: String(s.subtotalMinor), sessionCurrency: s.currency, sessionId: s.sessionId },
      'ALERT: checkout session amount or currency disagrees with the order; not credited',
    );
  }
  return matches;
}
