import type Stripe from 'stripe';
import { PurseError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { toMajorNumber } from '../money/money.ts';
import { ensureStripeCustomer, isMissingCustomer, replaceStripeCustomer } from '../stripe/customer.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { stripeIdempotencyKey } from '../stripe/gateway.ts';
import { type Resume, runIdempotent } from '../idempotency/idempotency.ts';
import type { CheckoutOrderRow } from '../store/schema.ts';
import { settleOrder } from './fulfil-order.ts';
import { findOrder } from './orders-store.ts';
import type { Purpose } from './order-states.ts';
import { sessionParams } from './session-params.ts';
import { validateCheckout, type CheckoutRequest } from './validate-checkout.ts';
import type { Ctx } from '../context.ts';

export { sessionParams } from './session-params.ts';

export interface CheckoutResponse {
  url: string;
  purpose: Purpose;
  orderId: string;
  amount?: number;
  currency: string;
  expiresAt: string;
}

const SECONDS_PER_MINUTE = 60;
const MS_PER_SECOND = 1000;
const FAILURE_MESSAGE_MAX = 200;
/** Stripe's bounds on a Checkout Session's `expires_at`, counted from when Stripe receives the request. */
export const STRIPE_CHECKOUT_EXPIRY_MIN_SECONDS = 30 * SECONDS_PER_MINUTE;
export const STRIPE_CHECKOUT_EXPIRY_MAX_SECONDS = 24 * 60 * SECONDS_PER_MINUTE;
/** Room for the time between our clock read and Stripe's check (latency, retries, clock skew). */
export const STRIPE_CHECKOUT_EXPIRY_MARGIN_SECONDS = 120;
/** A resumed order (after an idempotency lease ran out) still needs this much above Stripe's minimum. */
const STRIPE_CHECKOUT_RESUME_MARGIN_SECONDS = 30;

export interface CheckoutInput {
  body: unknown;
  /** What the route schema found wrong, reported only after the seed's own checks (which carry specific codes). */
  schemaProblem: string | undefined;
  idempotencyKey: string | undefined;
}

/** `POST /v1/billing/checkout`: validate, claim the idempotency key, record the order, ask Stripe. */
export async function createCheckout(ctx: Ctx, tenantId: string, input: CheckoutInput): Promise<CheckoutResponse> {
  const { body, idempotencyKey } = input;
  const currency = await tenantCurrency(ctx, tenantId);
  const request = validateCheckout(body, currency, ctx.config);
  if (input.schemaProblem) throw new PurseError('VALIDATION_ERROR', { details: [{ field: 'body', message: input.schemaProblem }] });
  const work = async (resume?: Resume) => ({ status: 200, body: await openOrder(ctx, tenantId, currency, request, resume) });
  if (!idempotencyKey) return (await work()).body;
  const result = await runIdempotent(ctx, { tenantId, scope: 'checkout', key: idempotencyKey, request: body }, work);
  return result.body;
}

/** The configured lifetime, kept inside Stripe's bounds with a margin so Stripe never sees it out of range. */
export function checkoutExpiresAtSeconds(nowMs: number, minutes: number): number {
  const lifetime = Math.min(
    Math.max(minutes * SECONDS_PER_MINUTE, STRIPE_CHECKOUT_EXPIRY_MIN_SECONDS + STRIPE_CHECKOUT_EXPIRY_MARGIN_SECONDS),
    STRIPE_CHECKOUT_EXPIRY_MAX_SECONDS - STRIPE_CHECKOUT_EXPIRY_MARGIN_SECONDS,
  );
  return Math.floor(nowMs / MS_PER_SECOND) + lifetime;
}

/** A resumed attempt finishes the order its dead predecessor recorded; otherwise a new order. */
async function openOrder(ctx: Ctx, tenantId: string, currency: string, request: CheckoutRequest, resume?: Resume): Promise<CheckoutResponse> {
  if (resume?.resourceId) {
    const earlier = await findOrder(ctx.store.db, resume.resourceId);
    if (earlier && earlier.tenant_id === tenantId && earlier.state === 'open') {
      if (earlier.checkout_url !== null || stillAcceptable(ctx, earlier)) return finishOrder(ctx, earlier);
      // Too near its expiry for Stripe to accept now: let it lapse (a payment on it would still be credited).
      await settleOrder(ctx, earlier.id, 'expired', {});
    }
  }
  const order = await insertOrder(ctx, tenantId, currency, request);
  await resume?.recordResource(order.id);
  return finishOrder(ctx, order);
}

function stillAcceptable(ctx: Ctx, order: CheckoutOrderRow): boolean {
  const remainingMs = Number(order.expires_at_ms) - ctx.nowMs();
  return remainingMs >= (STRIPE_CHECKOUT_EXPIRY_MIN_SECONDS + STRIPE_CHECKOUT_RESUME_MARGIN_SECONDS) * MS_PER_SECOND;
}

async function insertOrder(ctx: Ctx, tenantId: string, currency: string, request: CheckoutRequest): Promise<CheckoutOrderRow> {
  const orderId = newId('cto');
  const nowMs = ctx.nowMs();
  const order: CheckoutOrderRow = {
    id: orderId, tenant_id: tenantId, purpose: request.purpose, state: 'open', amount_minor: request.amountMinor, currency,
    success_url: request.successUrl ?? `${ctx.config.publicUrl}/billing?topup=success&order=${orderId}`,
    cancel_url: request.cancelUrl ?? `${ctx.config.publicUrl}/billing?topup=cancelled&order=${orderId}`,
    checkout_url: null, stripe_customer_id: null, stripe_session_id: null,
    stripe_payment_intent_id: null, stripe_setup_intent_id: null, failure_code: null, failure_message: null,
    ledger_transaction_id: null, expires_at_ms: BigInt(checkoutExpiresAtSeconds(nowMs, ctx.config.checkoutExpiresMinutes) * MS_PER_SECOND),
    created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), completed_at_ms: null,
  };
  await ctx.store.db.insertInto('checkout_orders').values(order).execute();
  return order;
}

/** Asks Stripe for the session (unless an earlier attempt already stored it) and answers from the order. */
async function finishOrder(ctx: Ctx, order: CheckoutOrderRow): Promise<CheckoutResponse> {
  let url = order.checkout_url;
  if (url === null) {
    const { session, customerId } = await askStripe(ctx, order);
    if (!session.url) throw new Error(`Invariant violated: Stripe returned checkout session ${session.id} without a url`);
    url = session.url;
    await ctx.store.db.updateTable('checkout_orders')
      .set({ stripe_session_id: session.id, checkout_url: url, stripe_customer_id: customerId, updated_at_ms: BigInt(ctx.nowMs()) })
      .where('id', '=', order.id).execute();
  }
  const purpose = order.purpose as Purpose;
  return {
    url,
    purpose,
    orderId: order.id,
    ...(order.amount_minor !== null ? { amount: toMajorNumber(order.amount_minor, order.currency) } : {}),
    currency: order.currency,
    expiresAt: new Date(Number(order.expires_at_ms)).toISOString(),
  };
}

/** One session per order (Stripe idempotency on our order id); a customer Stripe forgot is replaced once. */
async function askStripe(ctx: Ctx, order: CheckoutOrderRow): Promise<{ session: Stripe.Checkout.Session; customerId: string }> {
  try {
    let customerId = await ensureStripeCustomer(ctx, order.tenant_id);
    try {
      return { session: await createSession(ctx, order, customerId, stripeIdempotencyKey('checkout', order.id)), customerId };
    } catch (err) {
      if (!isMissingCustomer(err)) throw err;
      customerId = await replaceStripeCustomer(ctx, order.tenant_id, customerId);
      return { session: await createSession(ctx, order, customerId, stripeIdempotencyKey('checkout', `${order.id}:customer-replaced`)), customerId };
    }
  } catch (err) {
    await failOrder(ctx, order.id, err as Error);
    throw isInvalidRequest(err) ? new PurseError('STRIPE_REQUEST_REJECTED') : new PurseError('STRIPE_UNAVAILABLE');
  }
}

function createSession(ctx: Ctx, order: CheckoutOrderRow, customerId: string, idempotencyKey: string): Promise<Stripe.Checkout.Session> {
  const request = { purpose: order.purpose as Purpose, amountMinor: order.amount_minor, successUrl: order.success_url, cancelUrl: order.cancel_url };
  const params = sessionParams(ctx, {
    orderId: order.id, tenantId: order.tenant_id, currency: order.currency, request, customerId,
    successUrl: order.success_url, cancelUrl: order.cancel_url, expiresAtSeconds: Number(order.expires_at_ms) / MS_PER_SECOND,
  });
  return ctx.stripe.client.checkout.sessions.create(params, { idempotencyKey });
}

/** Stripe said the request itself is wrong (an account setting, a limit): retrying will not help, the operator must act. */
function isInvalidRequest(err: unknown): boolean {
  return (err as { type?: string }).type === 'StripeInvalidRequestError';
}

async function failOrder(ctx: Ctx, orderId: string, err: Error): Promise<void> {
  const e = err as Error & { type?: string; code?: string; param?: string; statusCode?: number; requestId?: string };
  ctx.log.error(
    { orderId, stripeErrorType: e.type, stripeStatus: e.statusCode, stripeCode: e.code, stripeParam: e.param, stripeMessage: err.message, stripeRequestId: e.requestId },
    isInvalidRequest(err) ? 'Stripe refused checkout creation as an invalid request; fix the Stripe account or Purse configuration' : 'Stripe failed checkout creation',
  );
  // Through the state machine like every other move, so this path cannot override a state it should not.
  const code = isInvalidRequest(err) ? 'stripe_request_rejected' : 'stripe_unavailable';
  await settleOrder(ctx, orderId, 'failed', { failure_code: code, failure_message: String(e.type ?? err.name).slice(0, FAILURE_MESSAGE_MAX) });
}
