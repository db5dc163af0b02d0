import Stripe from 'stripe';
import type { Config } from '../config/config.ts';
import { cardErrorOutcome, paymentOutcomeOf } from './payment-outcome.ts';
import type { ChargeFacts, CheckoutSessionInput, ListedCharge, ListedCheckout, PaymentGateway, ProviderEvent, ProviderFailure, SavedCard } from './payment-gateway.ts';

/**
 * Purse's one door to Stripe: the official SDK, pointed at real Stripe, at STRIPE_API_URL, or at the
 * built-in sandbox. Same code path in all three; only host, port and protocol differ. Every Stripe
 * request Purse makes is built here.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';
export const SANDBOX_SECRET_KEY = 'sk_test_purse_sandbox';
const STRIPE_NETWORK_RETRIES = 1;
const LIST_PAGE_SIZE = 100;
const TOPUP_PRODUCT_NAME = 'Wallet top-up';
const AUTO_TOPUP_DESCRIPTION = 'Wallet auto top-up';

export interface StripeTarget {
  secretKey: string;
  apiUrl?: string | undefined;
  timeoutMs: number;
}

export function stripeClient(target: StripeTarget): Stripe {
  const options: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION as Stripe.StripeConfig['apiVersion'],
    timeout: target.timeoutMs,
    // Every write carries our own idempotency key, so a retry can never charge twice.
    maxNetworkRetries: STRIPE_NETWORK_RETRIES,
    telemetry: false,
    appInfo: { name: 'purse' },
  };
  if (target.apiUrl) {
    const url = new URL(target.apiUrl);
    options.host = url.hostname;
    options.protocol = url.protocol === 'http:' ? 'http' : 'https';
    options.port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  }
  return new Stripe(target.secretKey, options);
}

/** The gateway the configuration asks for; `sandbox` gives the address and secret of a running sandbox. */
export function gatewayFromConfig(config: Config, sandbox?: { url: string; webhookSecret: string }): PaymentGateway {
  if (config.stripeSecretKey) {
    const client = stripeClient({ secretKey: config.stripeSecretKey, apiUrl: config.stripeApiUrl, timeoutMs: config.stripeTimeoutMs });
    return stripeGateway(client, config, config.stripeWebhookSecrets, 'stripe');
  }
  const url = sandbox?.url ?? `http://127.0.0.1:${config.stripeSandboxPort}`;
  const client = stripeClient({ secretKey: SANDBOX_SECRET_KEY, apiUrl: url, timeoutMs: config.stripeTimeoutMs });
  return stripeGateway(client, config, [...config.stripeWebhookSecrets, ...(sandbox ? [sandbox.webhookSecret] : [])], 'sandbox');
}

function classifyError(err: unknown): ProviderFailure {
  const e = (err ?? {}) as { type?: string; code?: string; param?: string; message?: string };
  if (e.code === 'resource_missing' && (e.param === 'customer' || /No such customer/.test(e.message ?? ''))) return 'missing_customer';
  if (e.type === 'StripeInvalidRequestError') return 'invalid_request';
  return 'unavailable';
}

/** Stripe's own idempotency keys, derived from our ids so a retry of the same thing is the same request. */
export function stripeIdempotencyKey(kind: 'customer' | 'checkout' | 'pm_detach' | 'auto_topup' | 'auto_topup_recovery', ourId: string): string {
  return `purse:${kind}:${ourId}`;
}

type CheckoutSettings = Pick<Config, 'checkoutSaveCard' | 'checkoutRequireBillingAddress' | 'stripeAutomaticTax' | 'stripeAdaptivePricing'>;

/** `webhookSecrets`: every `whsec_…` accepted on /v1/webhooks/stripe (several during rotation). */
export function stripeGateway(client: Stripe, settings: CheckoutSettings, webhookSecrets: readonly string[], mode: 'stripe' | 'sandbox'): PaymentGateway {
  return {
    mode,
    async createCustomer({ tenantId, name, generation }) {
      const ourId = generation === 0n ? tenantId : `${tenantId}:${generation}`;
      const customer = await client.customers.create({ name, metadata: { tenantId } }, { idempotencyKey: stripeIdempotencyKey('customer', ourId) });
      return customer.id;
    },
    async createCheckoutSession(input) {
      const ourId = input.attempt ? `${input.orderId}:${input.attempt}` : input.orderId;
      const session = await client.checkout.sessions.create(sessionParams(settings, input), { idempotencyKey: stripeIdempotencyKey('checkout', ourId) });
      if (!session.url) throw new Error(`Invariant violated: Stripe returned checkout session ${session.id} without a url`);
      return { sessionId: session.id, url: session.url };
    },
    classifyError,
    async detachCard(paymentMethodId) {
      try {
        await client.paymentMethods.detach(paymentMethodId, {}, { idempotencyKey: stripeIdempotencyKey('pm_detach', paymentMethodId) });
      } catch (err) {
        // Already detached (an earlier attempt got through before a crash, or gone at Stripe): the goal is reached.
        const code = (err as { code?: string }).code;
        if (code !== 'payment_method_unexpected_state' && code !== 'resource_missing') throw err;
      }
    },
    cardOfSetup: (setupIntentId) => cardOfSetup(client, setupIntentId),
    cardOf: async (paymentMethodId) => toSavedCard(await client.paymentMethods.retrieve(paymentMethodId)),
    ...offSessionCharges(client),
    chargeFacts: async (chargeId) => toChargeFacts(await client.charges.retrieve(chargeId)),
    paymentReceipt: async (paymentIntentId) => {
      const intent = await client.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge'] });
      const charge = intent.latest_charge;
      if (!charge || typeof charge === 'string') return null;
      const card = charge.payment_method_details?.card;
      return { cardBrand: card?.brand ?? null, cardLast4: card?.last4 ?? null, receiptUrl: charge.receipt_url ?? null };
    },
    verifyWebhook: (rawBody, header, toleranceSeconds, receivedAtMs) => verifyWebhook(client, webhookSecrets, rawBody, header, toleranceSeconds, receivedAtMs),
    listEvents: (types, sinceSeconds) => mapped(client.events.list({ types: [...types], created: { gte: sinceSeconds }, limit: LIST_PAGE_SIZE }), toProviderEvent),
    listCheckoutSessions: (sinceSeconds) => mapped(newerThan(client.checkout.sessions.list({ limit: LIST_PAGE_SIZE }), sinceSeconds), toListedCheckout),
    listCharges: (sinceSeconds) => mapped(newerThan(client.charges.list({ limit: LIST_PAGE_SIZE }), sinceSeconds), toListedCharge),
  };
}

/** Auto top-up's charges: the off-session charge, finding it again after a crash, and the recovery page. */
function offSessionCharges(client: Stripe): Pick<PaymentGateway, 'chargeOffSession' | 'findAutoTopupCharge' | 'createRecoveryCheckout'> {
  return {
    async chargeOffSession(c) {
      try {
        return paymentOutcomeOf(await client.paymentIntents.create({
          amount: Number(c.amountMinor), currency: c.currency.toLowerCase(), customer: c.customerId, payment_method: c.paymentMethodId,
          off_session: true, confirm: true, description: AUTO_TOPUP_DESCRIPTION,
          metadata: { autoTopupAttemptId: c.attemptId, tenantId: c.tenantId },
        }, { idempotencyKey: stripeIdempotencyKey('auto_topup', c.attemptId) }));
      } catch (err) {
        const refused = cardErrorOutcome(err, c);
        if (refused) return refused;
        throw err;
      }
    },
    async findAutoTopupCharge({ customerId, attemptId, sinceSeconds }) {
      for await (const intent of newerThan(client.paymentIntents.list({ customer: customerId, limit: LIST_PAGE_SIZE }), sinceSeconds)) {
        if (intent.metadata['autoTopupAttemptId'] === attemptId) return paymentOutcomeOf(intent);
      }
      return null;
    },
    async createRecoveryCheckout(r) {
      const metadata = { autoTopupAttemptId: r.attemptId, tenantId: r.tenantId };
      const session = await client.checkout.sessions.create({
        mode: 'payment', customer: r.customerId, client_reference_id: r.attemptId, metadata,
        line_items: [{ quantity: 1, price_data: { currency: r.currency.toLowerCase(), unit_amount: Number(r.amountMinor), product_data: { name: AUTO_TOPUP_DESCRIPTION } } }],
        payment_intent_data: { metadata, setup_future_usage: 'off_session' },
        success_url: r.successUrl, cancel_url: r.cancelUrl, expires_at: r.expiresAtSeconds,
      }, { idempotencyKey: stripeIdempotencyKey('auto_topup_recovery', r.attemptId) });
      if (!session.url) throw new Error(`Invariant violated: Stripe returned recovery session ${session.id} without a url`);
      return { sessionId: session.id, url: session.url };
    },
  };
}

/** The event if any configured secret signed it; several are valid while one is being rotated out. */
function verifyWebhook(client: Stripe, secrets: readonly string[], rawBody: string, header: string, toleranceSeconds: number, receivedAtMs: number): { body: unknown } | null {
  for (const secret of secrets) {
    try {
      // The SDK takes "now" in milliseconds; passing our clock keeps tests and instances consistent.
      return { body: client.webhooks.constructEvent(rawBody, header, secret, toleranceSeconds, undefined, receivedAtMs) as unknown };
    } catch {
      // Try the next secret.
    }
  }
  return null;
}

/** Lists come newest first; stop at the first object older than the look-back. */
async function* newerThan<T extends { created: number }>(list: AsyncIterable<T>, sinceSeconds: number): AsyncIterable<T> {
  for await (const item of list) {
    if (item.created < sinceSeconds) return;
    yield item;
  }
}

async function* mapped<T, U>(list: AsyncIterable<T>, map: (item: T) => U): AsyncIterable<U> {
  for await (const item of list) yield map(item);
}

function toProviderEvent(event: Stripe.Event): ProviderEvent {
  return { id: event.id, type: event.type, body: event };
}

const LISTED_CHECKOUT_STATUSES: readonly ListedCheckout['status'][] = ['open', 'complete', 'expired'];

function toListedCheckout(session: Stripe.Checkout.Session): ListedCheckout {
  const status = LISTED_CHECKOUT_STATUSES.find((known) => known === session.status) ?? 'other';
  return { id: session.id, status, body: session };
}

function toListedCharge(charge: Stripe.Charge): ListedCharge {
  return { id: charge.id, amountRefundedMinor: BigInt(charge.amount_refunded), body: charge };
}

/** Only a complete card is kept: brand, last4 and expiry, exactly as Stripe reports them. */
function toSavedCard(pm: Stripe.PaymentMethod): SavedCard | null {
  const card = pm.card;
  if (!card?.brand || !card.last4 || !card.exp_month || !card.exp_year) return null;
  return { paymentMethodId: pm.id, customerId: idOf(pm.customer), brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year, fingerprint: card.fingerprint ?? null };
}

async function cardOfSetup(client: Stripe, setupIntentId: string): Promise<SavedCard | null> {
  const setupIntent = await client.setupIntents.retrieve(setupIntentId);
  const pmId = idOf(setupIntent.payment_method);
  if (!pmId) return null;
  const pm = await client.paymentMethods.retrieve(pmId);
  return {
    paymentMethodId: pm.id,
    customerId: idOf(pm.customer),
    brand: pm.card?.brand ?? pm.type,
    last4: pm.card?.last4 ?? '',
    expMonth: pm.card?.exp_month ?? 0,
    expYear: pm.card?.exp_year ?? 0,
    fingerprint: pm.card?.fingerprint ?? null,
  };
}

/** Stripe copies the PaymentIntent's metadata (our order or auto top-up attempt id) onto its charges. */
export function toChargeFacts(charge: Stripe.Charge): ChargeFacts {
  return {
    chargeId: charge.id,
    orderId: charge.metadata?.orderId || null,
    attemptId: charge.metadata?.autoTopupAttemptId || null,
    tenantId: charge.metadata?.tenantId || null,
    amountMinor: BigInt(charge.amount),
    currency: charge.currency.toUpperCase(),
  };
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** SPEC §3.2: exactly what Purse asks Stripe for, per purpose. */
export function sessionParams(settings: CheckoutSettings, s: CheckoutSessionInput): Stripe.Checkout.SessionCreateParams {
  const metadata = { orderId: s.orderId, tenantId: s.tenantId, purpose: s.purpose };
  const common = {
    customer: s.customerId,
    client_reference_id: s.orderId,
    metadata,
    success_url: s.successUrl,
    cancel_url: s.cancelUrl,
    expires_at: s.expiresAtSeconds,
  };
  const currency = s.currency.toLowerCase();
  const byPurpose: Record<CheckoutSessionInput['purpose'], () => Stripe.Checkout.SessionCreateParams> = {
    add_card: () => ({ ...common, mode: 'setup', currency, setup_intent_data: { metadata } }),
    wallet_topup: () => ({
      ...common,
      mode: 'payment',
      line_items: [{ quantity: 1, price_data: { currency, unit_amount: Number(s.amountMinor), product_data: { name: TOPUP_PRODUCT_NAME } } }],
      payment_intent_data: { metadata, ...(settings.checkoutSaveCard ? { setup_future_usage: 'off_session' as const } : {}) },
      billing_address_collection: settings.checkoutRequireBillingAddress ? 'required' : 'auto',
      ...(settings.stripeAutomaticTax ? { automatic_tax: { enabled: true }, customer_update: { address: 'auto' as const } } : {}),
      ...(settings.stripeAdaptivePricing ? { adaptive_pricing: { enabled: true } } : {}),
    }),
  };
  return byPurpose[s.purpose]();
}
