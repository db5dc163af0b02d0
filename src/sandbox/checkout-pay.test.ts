import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { control, startTestSandbox, topupSessionParams } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;
let customer: Stripe.Customer;

beforeEach(async () => {
  t = await startTestSandbox();
  customer = await t.stripe.customers.create({ email: 'ops@tenant.test' });
});
afterEach(async () => {
  await t.sandbox.close();
});

function typesSince(count: number): string[] {
  return t.sandbox.events().slice(0, t.sandbox.events().length - count).map((event) => event.type).reverse();
}

describe('paying a checkout session through the control API: card outcomes', () => {
  it('pays with 4242, completes the session and emits payment_intent.succeeded then checkout.session.completed', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const paid = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'complete', payment_status: 'paid', url: null, amount_total: 5000 });
    const intent = await t.stripe.paymentIntents.retrieve(paid.body.payment_intent as string);
    expect(intent).toMatchObject({ status: 'succeeded', amount: 5000, amount_received: 5000, currency: 'brl', customer: customer.id, metadata: { orderId: 'ord_1', tenantId: 'ten_1' } });
    const charge = await t.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '4242' });
    expect(typesSince(0)).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
    const completed = t.sandbox.events()[0];
    expect(completed?.data.object).toMatchObject({ id: session.id, payment_status: 'paid', client_reference_id: 'ord_1', metadata: { orderId: 'ord_1' } });
  });

  it('declines 4000000000000002 with card_declined (402), leaves the session open, and lets a later card pay the same intent', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const declined = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4000000000000002' });
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });
    const open = await t.stripe.checkout.sessions.retrieve(session.id);
    expect(open.status).toBe('open');
    const failedIntent = await t.stripe.paymentIntents.retrieve(open.payment_intent as string);
    expect(failedIntent).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } });
    expect(t.sandbox.events()[0]?.type).toBe('payment_intent.payment_failed');
    const paid = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
    expect(paid.body).toMatchObject({ status: 'complete', payment_intent: failedIntent.id });
  });
});

describe('paying a checkout session: billing address and tax', () => {
  it('adds a deterministic tax by billing country and saves the address to the customer with customer_update[address]=auto', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, {
      billing_address_collection: 'required', automatic_tax: { enabled: true }, customer_update: { address: 'auto' },
    }));
    const billingAddress = { line1: 'Av. Paulista, 1000', city: 'São Paulo', postal_code: '01310-100', country: 'BR' };
    const paid = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242', billingAddress });
    expect(paid.body).toMatchObject({
      amount_subtotal: 5000, amount_total: 5500, total_details: { amount_tax: 500 },
      automatic_tax: { enabled: true, status: 'complete' }, customer_details: { address: billingAddress },
    });
    const intent = await t.stripe.paymentIntents.retrieve(paid.body.payment_intent as string);
    expect(intent.amount).toBe(5500);
    expect((await t.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ address: billingAddress });
  });

  it('refuses to pay a session that requires a billing address the page form left empty', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, { billing_address_collection: 'required' }));
    const paid = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242', billingAddress: { line1: 'x' } });
    expect(paid.status).toBe(400);
    expect(paid.body.error).toMatchObject({ param: 'billing_address' });
  });
});

describe('paying a checkout session: adaptive pricing', () => {
  it('presents another currency with adaptive pricing without changing what the merchant is credited', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, { adaptive_pricing: { enabled: true } }));
    const paid = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242', presentmentCurrency: 'eur' });
    expect(paid.body).toMatchObject({
      currency: 'brl', amount_subtotal: 5000, amount_total: 5000,
      presentment_details: { presentment_currency: 'eur', presentment_amount: 852 },
    });
    const intent = await t.stripe.paymentIntents.retrieve(paid.body.payment_intent as string);
    expect(intent).toMatchObject({ amount: 5000, currency: 'brl', presentment_details: { presentment_currency: 'eur' } });
  });

  it('refuses another presentment currency when adaptive pricing is off', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const paid = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242', presentmentCurrency: 'eur' });
    expect(paid.status).toBe(400);
    expect(paid.body.error).toMatchObject({ param: 'presentment_currency' });
  });
});

describe('paying a checkout session: delayed payment methods', () => {
  it('completes unpaid with a delayed method and settles later with async_payment_succeeded', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const pending = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { method: 'delayed' });
    expect(pending.body).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    const intentId = pending.body.payment_intent as string;
    expect((await t.stripe.paymentIntents.retrieve(intentId)).status).toBe('processing');
    const before = t.sandbox.events().length;
    const settled = await control(t.sandbox, `/payment_intents/${intentId}/settle`, { outcome: 'succeeded' });
    expect(settled.body).toMatchObject({ status: 'succeeded' });
    expect(typesSince(before)).toEqual(['payment_intent.succeeded', 'checkout.session.async_payment_succeeded']);
    expect(t.sandbox.events()[0]?.data.object).toMatchObject({ id: session.id, payment_status: 'paid' });
    expect((await t.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
  });

  it('settles a delayed payment as failed with async_payment_failed and leaves the session unpaid', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const pending = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { method: 'delayed' });
    const before = t.sandbox.events().length;
    await control(t.sandbox, `/payment_intents/${pending.body.payment_intent as string}/settle`, { outcome: 'failed' });
    expect(typesSince(before)).toEqual(['payment_intent.payment_failed', 'checkout.session.async_payment_failed']);
    expect((await t.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('unpaid');
    const again = await control(t.sandbox, `/payment_intents/${pending.body.payment_intent as string}/settle`, { outcome: 'succeeded' });
    expect(again.status).toBe(400);
  });
});

describe('paying a checkout session: saving cards', () => {
  it('saves a card in setup mode and completes with a succeeded setup intent', async () => {
    const session = await t.stripe.checkout.sessions.create({
      mode: 'setup', currency: 'brl', customer: customer.id, setup_intent_data: { metadata: { purpose: 'add_card' } },
      success_url: 'https://merchant.test/ok',
    });
    const done = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4000002500003155', expMonth: 4, expYear: 2034 });
    expect(done.body).toMatchObject({ status: 'complete', payment_status: 'no_payment_required', payment_intent: null });
    const setupIntent = await t.stripe.setupIntents.retrieve(done.body.setup_intent as string);
    expect(setupIntent).toMatchObject({ id: expect.stringMatching(/^seti_/), status: 'succeeded', customer: customer.id, metadata: { purpose: 'add_card' } });
    const method = await t.stripe.paymentMethods.retrieve(setupIntent.payment_method as string);
    expect(method).toMatchObject({ customer: customer.id, type: 'card', card: { brand: 'visa', last4: '3155', exp_month: 4, exp_year: 2034 } });
    expect(t.sandbox.events()[0]).toMatchObject({ type: 'checkout.session.completed', data: { object: { mode: 'setup', setup_intent: setupIntent.id } } });
  });

  it('attaches the card to the customer when payment_intent_data[setup_future_usage] is set', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, {
      payment_intent_data: { setup_future_usage: 'off_session' },
    }));
    await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '5555555555554444' });
    const methods = await t.stripe.customers.listPaymentMethods(customer.id);
    expect(methods.data.map((m) => m.card?.last4)).toEqual(['4444']);
  });
});

describe('checkout session control API: repeats, expiry and unknown sessions', () => {
  it('refuses to pay a completed session again', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
    const again = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
    expect(again.status).toBe(400);
  });

  it('expires a session through the control API with checkout.session.expired', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const expired = await control(t.sandbox, `/checkout/sessions/${session.id}/expire`);
    expect(expired.body).toMatchObject({ status: 'expired' });
    expect(t.sandbox.events()[0]?.type).toBe('checkout.session.expired');
  });

  it('answers an unknown session with 404', async () => {
    const missing = await control(t.sandbox, '/checkout/sessions/cs_test_nope/pay', { card: '4242424242424242' });
    expect(missing.status).toBe(404);
  });
});
