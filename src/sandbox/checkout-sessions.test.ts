import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { control, startTestSandbox, topupSessionParams } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;
let customer: Stripe.Customer;
const nowSeconds = (): number => Math.floor(t.sandbox.clock.nowMs() / 1000);

beforeEach(async () => {
  t = await startTestSandbox();
  customer = await t.stripe.customers.create({ email: 'ops@tenant.test' });
});
afterEach(async () => {
  await t.sandbox.close();
});

async function invalidParamOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  return (error as Stripe.errors.StripeInvalidRequestError).param;
}

describe('checkout sessions: create', () => {
  it('creates a payment session with every parameter Purse sends, in Stripe shape', async () => {
    const expiresAt = nowSeconds() + 3600;
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, {
      currency: 'brl',
      billing_address_collection: 'required',
      automatic_tax: { enabled: true },
      customer_update: { address: 'auto' },
      adaptive_pricing: { enabled: true },
      expires_at: expiresAt,
      allowed_payment_method_types: ['card'],
      payment_intent_data: { metadata: { orderId: 'ord_1' }, setup_future_usage: 'off_session' },
    }));
    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
    expect(session.url).toBe(`${t.sandbox.url}/c/pay/${session.id}`);
    expect(session).toMatchObject({
      object: 'checkout.session', mode: 'payment', status: 'open', payment_status: 'unpaid', currency: 'brl',
      amount_subtotal: 5000, amount_total: 5000, total_details: { amount_tax: 0 }, customer: customer.id,
      client_reference_id: 'ord_1', metadata: { orderId: 'ord_1', tenantId: 'ten_1' }, expires_at: expiresAt,
      billing_address_collection: 'required', adaptive_pricing: { enabled: true }, payment_intent: null,
      automatic_tax: { enabled: true, status: 'requires_location_inputs' }, livemode: false, created: nowSeconds(),
    });
  });

  it('computes tax up front from the customer saved address when automatic tax is on', async () => {
    const withAddress = await t.stripe.customers.create({ address: { country: 'DE', line1: 'Str. 1' } });
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(withAddress.id, { automatic_tax: { enabled: true } }));
    expect(session.total_details?.amount_tax).toBe(950);
    expect(session.amount_total).toBe(5950);
  });

  it('creates a setup session with currency, customer and setup_intent_data', async () => {
    const session = await t.stripe.checkout.sessions.create({
      mode: 'setup', currency: 'brl', customer: customer.id, setup_intent_data: { metadata: { purpose: 'add_card' } },
      success_url: 'https://merchant.test/ok', cancel_url: 'https://merchant.test/cancel',
    });
    expect(session).toMatchObject({ mode: 'setup', payment_status: 'no_payment_required', amount_total: null, setup_intent: null });
  });

  it('keeps zero-decimal amounts as given (JPY)', async () => {
    const session = await t.stripe.checkout.sessions.create({
      mode: 'payment', success_url: 'https://merchant.test/ok',
      line_items: [{ price_data: { currency: 'jpy', unit_amount: 1500, product_data: { name: 'Top-up' } }, quantity: 2 }],
    });
    expect(session).toMatchObject({ currency: 'jpy', amount_subtotal: 3000, amount_total: 3000 });
  });
});

describe('checkout sessions: create refuses bad parameters', () => {
  it('defaults expires_at to 24 hours and enforces the 30 minute to 24 hour window', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    expect(session.expires_at).toBe(nowSeconds() + 86_400);
    expect(await invalidParamOf(t.stripe.checkout.sessions.create(topupSessionParams(customer.id, { expires_at: nowSeconds() + 1799 })))).toBe('expires_at');
    expect(await invalidParamOf(t.stripe.checkout.sessions.create(topupSessionParams(customer.id, { expires_at: nowSeconds() + 86_401 })))).toBe('expires_at');
  });

  it.each([
    ['an unknown nested parameter', { line_items: [{ price_data: { currency: 'brl', unit_amount: 5000, product_data: { name: 'x' }, colour: 'red' }, quantity: 1 }] }, 'line_items[0][price_data][colour]'],
    ['a missing quantity', { line_items: [{ price_data: { currency: 'brl', unit_amount: 5000, product_data: { name: 'x' } } }] }, 'line_items[0][quantity]'],
    ['a non-integer amount', { line_items: [{ price_data: { currency: 'brl', unit_amount: 'ten', product_data: { name: 'x' } }, quantity: 1 }] }, 'line_items[0][price_data][unit_amount]'],
    ['an amount under the currency minimum', { line_items: [{ price_data: { currency: 'brl', unit_amount: 49, product_data: { name: 'x' } }, quantity: 1 }] }, 'line_items'],
    ['an unknown customer', { customer: 'cus_nope' }, 'customer'],
    ['an invalid success_url', { success_url: 'not a url' }, 'success_url'],
    ['subscription mode', { mode: 'subscription' }, 'mode'],
    ['setup_intent_data in payment mode', { setup_intent_data: { metadata: { a: 'b' } } }, 'setup_intent_data'],
    ['a currency that does not match the line items', { currency: 'usd' }, 'line_items[0][price_data][currency]'],
  ])('rejects %s naming the param', async (_name, override, param) => {
    const params = { ...topupSessionParams(customer.id), ...override } as Stripe.Checkout.SessionCreateParams;
    expect(await invalidParamOf(t.stripe.checkout.sessions.create(params))).toBe(param);
  });

  it('rejects customer_update without a customer', async () => {
    const params = { ...topupSessionParams(customer.id), customer: undefined, customer_update: { address: 'auto' as const } };
    expect(await invalidParamOf(t.stripe.checkout.sessions.create(params))).toBe('customer_update');
  });
});

describe('checkout sessions: retrieve, expire, list', () => {
  it('retrieves a session and expands line_items and payment_intent', async () => {
    const created = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    await control(t.sandbox, `/checkout/sessions/${created.id}/pay`, { card: '4242424242424242' });
    const session = await t.stripe.checkout.sessions.retrieve(created.id, { expand: ['line_items', 'payment_intent'] });
    expect(session.line_items?.data[0]).toMatchObject({ description: 'Wallet top-up', quantity: 1, amount_total: 5000, currency: 'brl' });
    expect(session.payment_intent).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 5000 });
  });

  it('expires an open session through the API, and refuses to expire it twice', async () => {
    const created = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const expired = await t.stripe.checkout.sessions.expire(created.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    expect(t.sandbox.events()[0]).toMatchObject({ type: 'checkout.session.expired', data: { object: { id: created.id, status: 'expired' } } });
    await expect(t.stripe.checkout.sessions.expire(created.id)).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('lists sessions newest first, filtered by customer and payment_intent, with cursor pagination', async () => {
    const other = await t.stripe.customers.create({});
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await t.stripe.checkout.sessions.create(topupSessionParams(customer.id))).id);
    await t.stripe.checkout.sessions.create(topupSessionParams(other.id));
    const firstPage = await t.stripe.checkout.sessions.list({ customer: customer.id, limit: 2 });
    expect(firstPage).toMatchObject({ object: 'list', has_more: true, url: '/v1/checkout/sessions' });
    expect(firstPage.data.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const secondPage = await t.stripe.checkout.sessions.list({ customer: customer.id, limit: 2, starting_after: ids[1] });
    expect(secondPage.data.map((s) => s.id)).toEqual([ids[0]]);
    expect(secondPage.has_more).toBe(false);
    const paid = await control(t.sandbox, `/checkout/sessions/${ids[0]}/pay`, { card: '4242424242424242' });
    const byIntent = await t.stripe.checkout.sessions.list({ payment_intent: paid.body.payment_intent as string });
    expect(byIntent.data.map((s) => s.id)).toEqual([ids[0]]);
  });
});
