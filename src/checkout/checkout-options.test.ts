import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey } from '../testing/api.ts';
import { type Rig, createTopup, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { STRIPE_CHECKOUT_EXPIRY_MARGIN_SECONDS } from './create-checkout.ts';

/**
 * What Purse asks Stripe for, read back from the sandbox (Stripe's side of the wire), per configuration
 * and currency: tax, adaptive pricing, billing address, expiry, metadata, amounts, and the top-up limits
 * (defaults per currency and TOPUP_LIMITS).
 */
const MINUTE_SECONDS = 60;

async function sessionOf(rig: Rig, url: string) {
  return rig.stripe.checkout.sessions.retrieve(sessionIdOf(url));
}

async function intentOfPaid(rig: Rig, url: string) {
  const paid = rig.sandbox.paySession(sessionIdOf(url), { card: '4242424242424242', billingAddress: { country: 'BR', postal_code: '01000-000', line1: 'Rua A, 1', city: 'São Paulo' } });
  return rig.stripe.paymentIntents.retrieve(String(paid.payment_intent));
}

function checkout(rig: Rig, amount: unknown) {
  return asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount });
}

describe('default options (BRL)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ deliverWebhooks: false });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('asks for automatic tax, adaptive pricing, a billing address, a 60-minute expiry, our metadata and the exact amount', async () => {
    const nowSeconds = Math.floor(rig.sandbox.clock.nowMs() / 1000);
    const created = (await checkout(rig, '12.34')).body;
    const session = await sessionOf(rig, created.url);
    const metadata = { orderId: created.orderId, tenantId: rig.tenant.tenantId, purpose: 'wallet_topup' };
    expect(session).toMatchObject({
      mode: 'payment', currency: 'brl', amount_subtotal: 1234, client_reference_id: created.orderId, metadata,
      automatic_tax: { enabled: true }, adaptive_pricing: { enabled: true }, billing_address_collection: 'required',
      expires_at: nowSeconds + 60 * MINUTE_SECONDS,
    });
    expect(typeof session.customer).toBe('string');
    // Stripe makes the PaymentIntent when the customer pays; its metadata is what Purse sent in payment_intent_data.
    const intent = await intentOfPaid(rig, created.url);
    expect(intent.metadata).toEqual(metadata);
    expect(intent.setup_future_usage).toBeNull();
    expect(created.expiresAt).toBe(new Date(session.expires_at * 1000).toISOString());
  });

  it('asks for a setup-mode session for add_card, with the same metadata on the setup intent', async () => {
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    expect(res.status).toBe(200);
    const session = await sessionOf(rig, res.body.url);
    expect(session).toMatchObject({ mode: 'setup', currency: 'brl', metadata: { orderId: res.body.orderId, purpose: 'add_card' } });
    expect(session.amount_subtotal ?? null).toBeNull();
  });

  it.each([
    ['0.49', 400, 'AMOUNT_BELOW_MINIMUM'],
    ['0.5', 200, undefined],
    ['999999.99', 200, undefined],
    ['1000000', 400, 'AMOUNT_ABOVE_MAXIMUM'],
    ['1.005', 400, 'AMOUNT_INVALID'],
  ])('BRL default limits: %s answers %i %s', async (amount, status, code) => {
    const res = await checkout(rig, amount);
    expect([res.status, res.body.code]).toEqual([status, code]);
  });
});

describe('options turned off by configuration', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      deliverWebhooks: false,
      env: { STRIPE_AUTOMATIC_TAX: 'false', STRIPE_ADAPTIVE_PRICING: 'false', CHECKOUT_REQUIRE_BILLING_ADDRESS: 'false', CHECKOUT_EXPIRES_MINUTES: '30', CHECKOUT_SAVE_CARD: 'true' },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('asks for no tax, no adaptive pricing, an optional address, a 30-minute expiry and a card saved for later', async () => {
    const nowSeconds = Math.floor(rig.sandbox.clock.nowMs() / 1000);
    const created = await createTopup(rig, 10);
    const session = await sessionOf(rig, created.url);
    expect(session).toMatchObject({
      automatic_tax: { enabled: false }, adaptive_pricing: { enabled: false }, billing_address_collection: 'auto',
      // Stripe's 30-minute minimum plus the margin Purse keeps so Stripe never sees less (issue 10).
      expires_at: nowSeconds + 30 * MINUTE_SECONDS + STRIPE_CHECKOUT_EXPIRY_MARGIN_SECONDS, amount_subtotal: 1000,
    });
    const intent = await intentOfPaid(rig, created.url);
    expect(intent.setup_future_usage).toBe('off_session');
  });
});

describe.each([
  ['USD', {}, [['4.99', 'AMOUNT_BELOW_MINIMUM'], ['5', 500], ['5000', 500_000], ['5000.01', 'AMOUNT_ABOVE_MAXIMUM']]],
  ['JPY', {}, [['49', 'AMOUNT_BELOW_MINIMUM'], ['50', 50], ['1.5', 'AMOUNT_INVALID']]],
  // Three-decimal currencies: Stripe wants the last digit 0.
  ['KWD', {}, [['0.49', 'AMOUNT_BELOW_MINIMUM'], ['0.5', 500], ['1.23', 1230], ['1.234', 'AMOUNT_INVALID']]],
  ['JPY', { TOPUP_LIMITS: 'JPY:1000-20000' }, [['999', 'AMOUNT_BELOW_MINIMUM'], ['1000', 1000], ['20000', 20000], ['20001', 'AMOUNT_ABOVE_MAXIMUM']]],
  ['USD', { TOPUP_LIMITS: 'USD:1-10,BRL:10-20' }, [['0.99', 'AMOUNT_BELOW_MINIMUM'], ['1', 100], ['10', 1000], ['10.01', 'AMOUNT_ABOVE_MAXIMUM']]],
] as Array<[string, Record<string, string>, Array<[string, string | number]>]>)('%s top-ups with %j', (currency, env, cases) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ deliverWebhooks: false, currency, env });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it.each(cases)('amount %s: %s', async (amount, expected) => {
    const res = await checkout(rig, amount);
    if (typeof expected === 'string') {
      expect([res.status, res.body.code]).toEqual([400, expected]);
      return;
    }
    expect(res.status).toBe(200);
    const session = await sessionOf(rig, res.body.url);
    expect([session.currency, session.amount_subtotal]).toEqual([currency.toLowerCase(), expected]);
  });
});
