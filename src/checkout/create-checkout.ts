import { PurseError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { toMajorNumber } from '../money/money.ts';
import { ensureCustomer } from './ensure-customer.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { runIdempotent } from '../idempotency/idempotency.ts';
import { settleOrder } from './fulfil-order.ts';
import { validateCheckout, type CheckoutRequest } from './validate-checkout.ts';
import type { Ctx } from '../context.ts';

export interface CheckoutResponse {
  url: string;
  purpose: 'wallet_topup' | 'add_card';
  orderId: string;
  amount?: number;
  currency: string;
  expiresAt: string;
}

const SECONDS_PER_MINUTE = 60;
const FAILURE_MESSAGE_MAX = 200;

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
  const work = async () => ({ status: 200, body: await openOrder(ctx, tenantId, currency, request) });
  if (!idempotencyKey) return (await work()).body;
  const result = await runIdempotent(ctx, { tenantId, scope: 'checkout', key: idempotencyKey, request: body }, work);
  return result.body;
}

async function openOrder(ctx: Ctx, tenantId: string, currency: string, request: CheckoutRequest): Promise<CheckoutResponse> {
  const orderId = newId('cto');
  const nowMs = ctx.nowMs();
  const successUrl = request.successUrl ?? `${ctx.config.publicUrl}/billing?topup=success&order=${orderId}`;
  const cancelUrl = request.cancelUrl ?? `${ctx.config.publicUrl}/billing?topup=cancelled&order=${orderId}`;
  const expiresAtSeconds = Math.floor(nowMs / 1000) + ctx.config.checkoutExpiresMinutes * SECONDS_PER_MINUTE;
  await ctx.store.db.insertInto('checkout_orders').values({
    id: orderId, tenant_id: tenantId, purpose: request.purpose, state: 'open', amount_minor: request.amountMinor, currency,
    success_url: successUrl, cancel_url: cancelUrl, checkout_url: null, stripe_customer_id: null, stripe_session_id: null,
    stripe_payment_intent_id: null, stripe_setup_intent_id: null, failure_code: null, failure_message: null,
    ledger_transaction_id: null, expires_at_ms: BigInt(expiresAtSeconds * 1000), created_at_ms: BigInt(nowMs),
    updated_at_ms: BigInt(nowMs), completed_at_ms: null,
  }).execute();
  let session: { sessionId: string; url: string };
  let customerId: string;
  try {
    customerId = await ensureCustomer(ctx, tenantId);
    session = await ctx.payments.createCheckoutSession({
      orderId, tenantId, purpose: request.purpose, amountMinor: request.amountMinor, currency, customerId, successUrl, cancelUrl, expiresAtSeconds,
    });
  } catch (err) {
    await failOrder(ctx, orderId, err as Error);
    throw new PurseError('STRIPE_UNAVAILABLE');
  }
  await ctx.store.db.updateTable('checkout_orders')
    .set({ stripe_session_id: session.sessionId, checkout_url: session.url, stripe_customer_id: customerId, updated_at_ms: BigInt(ctx.nowMs()) })
    .where('id', '=', orderId).execute();
  return {
    url: session.url,
    purpose: request.purpose,
    orderId,
    ...(request.amountMinor !== null ? { amount: toMajorNumber(request.amountMinor, currency) } : {}),
    currency,
    expiresAt: new Date(expiresAtSeconds * 1000).toISOString(),
  };
}

async function failOrder(ctx: Ctx, orderId: string, err: Error): Promise<void> {
  const stripeError = err as Error & { type?: string; code?: string; statusCode?: number };
  ctx.log.error({ orderId, stripeErrorType: stripeError.type, stripeStatus: stripeError.statusCode, message: err.message }, 'Stripe refused or failed checkout creation');
  // Through the state machine like every other move, so this path cannot override a state it should not.
  await settleOrder(ctx, orderId, 'failed', { failure_code: 'stripe_unavailable', failure_message: String(stripeError.type ?? err.name).slice(0, FAILURE_MESSAGE_MAX) });
}
