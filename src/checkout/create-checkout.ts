import type Stripe from 'stripe';
import { PurseError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { toMajorNumber } from '../money/money.ts';
import { ensureStripeCustomer } from '../stripe/customer.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { stripeIdempotencyKey } from '../stripe/gateway.ts';
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

const TOPUP_PRODUCT_NAME = 'Wallet top-up';
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
  // A saved card returns to "card saved", never to a payment message (nothing was paid).
  const [done, undone] = request.purpose === 'add_card' ? ['card=saved', 'card=cancelled'] : ['topup=success', 'topup=cancelled'];
  const successUrl = request.successUrl ?? `${ctx.config.publicUrl}/billing?${done}&order=${orderId}`;
  const cancelUrl = request.cancelUrl ?? `${ctx.config.publicUrl}/billing?${undone}&order=${orderId}`;
  const expiresAtSeconds = Math.floor(nowMs / 1000) + ctx.config.checkoutExpiresMinutes * SECONDS_PER_MINUTE;
  await ctx.store.db.insertInto('checkout_orders').values({
    id: orderId, tenant_id: tenantId, purpose: request.purpose, state: 'open', amount_minor: request.amountMinor, currency,
    success_url: successUrl, cancel_url: cancelUrl, checkout_url: null, stripe_customer_id: null, stripe_session_id: null,
    stripe_payment_intent_id: null, stripe_setup_intent_id: null, failure_code: null, failure_message: null,
    ledger_transaction_id: null, expires_at_ms: BigInt(expiresAtSeconds * 1000), created_at_ms: BigInt(nowMs),
    updated_at_ms: BigInt(nowMs), completed_at_ms: null,
  }).execute();
  let session: Stripe.Checkout.Session;
  let customerId: string;
  try {
    customerId = await ensureStripeCustomer(ctx, tenantId);
    const params = sessionParams(ctx, { orderId, tenantId, currency, request, customerId, successUrl, cancelUrl, expiresAtSeconds });
    session = await ctx.stripe.client.checkout.sessions.create(params, { idempotencyKey: stripeIdempotencyKey('checkout', orderId) });
  } catch (err) {
    await failOrder(ctx, orderId, err as Error);
    throw new PurseError('STRIPE_UNAVAILABLE');
  }
  if (!session.url) throw new Error(`Invariant violated: Stripe returned checkout session ${session.id} without a url`);
  await ctx.store.db.updateTable('checkout_orders')
    .set({ stripe_session_id: session.id, checkout_url: session.url, stripe_customer_id: customerId, updated_at_ms: BigInt(ctx.nowMs()) })
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

interface SessionInput {
  orderId: string;
  tenantId: string;
  currency: string;
  request: CheckoutRequest;
  customerId: string;
  successUrl: string;
  cancelUrl: string;
  expiresAtSeconds: number;
}

/** SPEC §3.2: exactly what Purse asks Stripe for, per purpose. */
export function sessionParams(ctx: Ctx, s: SessionInput): Stripe.Checkout.SessionCreateParams {
  const metadata = { orderId: s.orderId, tenantId: s.tenantId, purpose: s.request.purpose };
  const common = {
    customer: s.customerId,
    client_reference_id: s.orderId,
    metadata,
    success_url: s.successUrl,
    cancel_url: s.cancelUrl,
    expires_at: s.expiresAtSeconds,
  };
  if (s.request.purpose === 'add_card') {
    return { ...common, mode: 'setup', currency: s.currency.toLowerCase(), setup_intent_data: { metadata } };
  }
  const config = ctx.config;
  return {
    ...common,
    mode: 'payment',
    line_items: [{
      quantity: 1,
      price_data: { currency: s.currency.toLowerCase(), unit_amount: Number(s.request.amountMinor), product_data: { name: TOPUP_PRODUCT_NAME } },
    }],
    payment_intent_data: { metadata, ...(config.checkoutSaveCard ? { setup_future_usage: 'off_session' as const } : {}) },
    billing_address_collection: config.checkoutRequireBillingAddress ? 'required' : 'auto',
    ...(config.stripeAutomaticTax ? { automatic_tax: { enabled: true }, customer_update: { address: 'auto' as const } } : {}),
    ...(config.stripeAdaptivePricing ? { adaptive_pricing: { enabled: true } } : {}),
  };
}
