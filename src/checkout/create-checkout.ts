import { PurseError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { toMajorNumber } from '../money/money.ts';
import { type TenantCustomer, ensureCustomer, replaceCustomer } from '../customers/ensure-customer.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { type Resume, runIdempotent } from '../idempotency/idempotency.ts';
import type { CheckoutOrderRow } from '../store/schema.ts';
import { settleOrder } from './fulfil-order.ts';
import { findOrder, insertOrderRow, recordOrderSession } from './orders-store.ts';
import type { Purpose } from './order-states.ts';
import { validateCheckout, type CheckoutRequest } from './validate-checkout.ts';
import type { Ctx } from '../context.ts';

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
  const { order, customer } = await insertOrder(ctx, tenantId, currency, request);
  await resume?.recordResource(order.id);
  return finishOrder(ctx, order, customer);
}

function stillAcceptable(ctx: Ctx, order: CheckoutOrderRow): boolean {
  const remainingMs = Number(order.expires_at_ms) - ctx.nowMs();
  return remainingMs >= (STRIPE_CHECKOUT_EXPIRY_MIN_SECONDS + STRIPE_CHECKOUT_RESUME_MARGIN_SECONDS) * MS_PER_SECOND;
}

/** The order, and the tenant's Stripe customer as the same statement found it. */
async function insertOrder(ctx: Ctx, tenantId: string, currency: string, request: CheckoutRequest): Promise<{ order: CheckoutOrderRow; customer: TenantCustomer }> {
  const orderId = newId('cto');
  const nowMs = ctx.nowMs();
  // A saved card returns to "card saved", never to a payment message (nothing was paid).
  const [done, undone] = request.purpose === 'add_card' ? ['card=saved', 'card=cancelled'] : ['topup=success', 'topup=cancelled'];
  const order: CheckoutOrderRow = {
    id: orderId, tenant_id: tenantId, purpose: request.purpose, state: 'open', amount_minor: request.amountMinor, currency,
    success_url: request.successUrl ?? `${ctx.config.publicUrl}/billing?${done}&order=${orderId}`,
    cancel_url: request.cancelUrl ?? `${ctx.config.publicUrl}/billing?${undone}&order=${orderId}`,
    checkout_url: null, stripe_customer_id: null, stripe_session_id: null,
    stripe_payment_intent_id: null, stripe_setup_intent_id: null, failure_code: null, failure_message: null,
    ledger_transaction_id: null, expires_at_ms: BigInt(checkoutExpiresAtSeconds(nowMs, ctx.config.checkoutExpiresMinutes) * MS_PER_SECOND),
    created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), completed_at_ms: null,
  };
  return { order, customer: await insertOrderRow(ctx.store.db, order) };
}

/** Asks Stripe for the session (unless an earlier attempt already stored it) and answers from the order. */
async function finishOrder(ctx: Ctx, order: CheckoutOrderRow, customer?: TenantCustomer): Promise<CheckoutResponse> {
  let url = order.checkout_url;
  if (url === null) {
    const { session, customerId } = await askProvider(ctx, order, customer);
    url = session.url;
    await recordOrderSession(ctx.store.db, order.id, { ...session, customerId }, ctx.nowMs());
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

type Session = { sessionId: string; url: string };

/** One session per order (idempotent on our order id); a customer the provider forgot is replaced once. */
async function askProvider(ctx: Ctx, order: CheckoutOrderRow, customer?: TenantCustomer): Promise<{ session: Session; customerId: string }> {
  try {
    let customerId = await ensureCustomer(ctx, order.tenant_id, customer);
    try {
      return { session: await createSession(ctx, order, customerId), customerId };
    } catch (err) {
      if (ctx.payments.classifyError(err) !== 'missing_customer') throw err;
      customerId = await replaceCustomer(ctx, order.tenant_id, customerId);
      return { session: await createSession(ctx, order, customerId, 'customer-replaced'), customerId };
    }
  } catch (err) {
    const rejected = ctx.payments.classifyError(err) === 'invalid_request';
    await failOrder(ctx, order.id, err as Error, rejected);
    throw new PurseError(rejected ? 'STRIPE_REQUEST_REJECTED' : 'STRIPE_UNAVAILABLE');
  }
}

function createSession(ctx: Ctx, order: CheckoutOrderRow, customerId: string, attempt?: string): Promise<Session> {
  return ctx.payments.createCheckoutSession({
    orderId: order.id, attempt, tenantId: order.tenant_id, purpose: order.purpose as Purpose, amountMinor: order.amount_minor,
    currency: order.currency, customerId, successUrl: order.success_url, cancelUrl: order.cancel_url,
    expiresAtSeconds: Number(order.expires_at_ms) / MS_PER_SECOND,
  });
}

async function failOrder(ctx: Ctx, orderId: string, err: Error, rejected: boolean): Promise<void> {
  const e = err as Error & { type?: string; code?: string; param?: string; statusCode?: number; requestId?: string };
  ctx.log.error(
    { orderId, stripeErrorType: e.type, stripeStatus: e.statusCode, stripeCode: e.code, stripeParam: e.param, stripeMessage: err.message, stripeRequestId: e.requestId },
    rejected ? 'Stripe refused checkout creation as an invalid request; fix the Stripe account or Purse configuration' : 'Stripe failed checkout creation',
  );
  // Through the state machine like every other move, so this path cannot override a state it should not.
  const code = rejected ? 'stripe_request_rejected' : 'stripe_unavailable';
  await settleOrder(ctx, orderId, 'failed', { failure_code: code, failure_message: String(e.type ?? err.name).slice(0, FAILURE_MESSAGE_MAX) });
}
