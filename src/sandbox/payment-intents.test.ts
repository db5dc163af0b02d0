import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { control, startTestSandbox } from './test-support.ts';
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

/** Saves a card the way Purse does: a setup-mode Checkout Session paid on the hosted page. */
async function saveCard(cardNumber: string): Promise<string> {
  const session = await t.stripe.checkout.sessions.create({ mode: 'setup', currency: 'brl', customer: customer.id, success_url: 'https://m.test/ok' });
  const done = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: cardNumber });
  const setupIntent = await t.stripe.setupIntents.retrieve(done.body.setup_intent as string);
  return setupIntent.payment_method as string;
}

function offSession(paymentMethod: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Stripe.PaymentIntentCreateParams {
  return {
    amount: 2000, currency: 'brl', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true,
    metadata: { autoTopup: 'at_1' }, description: 'Auto top-up', ...extra,
  };
}

async function cardErrorOf(promise: Promise<unknown>): Promise<Stripe.errors.StripeCardError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
  return error as Stripe.errors.StripeCardError;
}

describe('payment intents: off-session charges', () => {
  it('charges a card saved from 4242 off-session and emits payment_intent.succeeded', async () => {
    const method = await saveCard('4242424242424242');
    const intent = await t.stripe.paymentIntents.create(offSession(method));
    expect(intent).toMatchObject({
      id: expect.stringMatching(/^pi_/), status: 'succeeded', amount: 2000, amount_received: 2000, currency: 'brl',
      customer: customer.id, payment_method: method, metadata: { autoTopup: 'at_1' }, description: 'Auto top-up',
    });
    expect(t.sandbox.events()[0]).toMatchObject({ type: 'payment_intent.succeeded', data: { object: { id: intent.id } } });
    const charge = await t.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({
      amount: 2000, amount_refunded: 0, refunded: false, disputed: false, currency: 'brl', payment_intent: intent.id,
      status: 'succeeded', payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } },
    });
  });

  it('declines a card saved from 4000000000000341 with StripeCardError card_declined and a failed intent', async () => {
    const method = await saveCard('4000000000000341');
    const error = await cardErrorOf(t.stripe.paymentIntents.create(offSession(method)));
    expect(error).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    const failed = error.payment_intent as Stripe.PaymentIntent;
    expect(failed.status).toBe('requires_payment_method');
    const stored = await t.stripe.paymentIntents.retrieve(failed.id);
    expect(stored).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'card_declined', type: 'card_error' } });
    expect(t.sandbox.events()[0]).toMatchObject({ type: 'payment_intent.payment_failed', data: { object: { id: failed.id } } });
  });

  it('fails a card saved from 4000002760003184 with authentication_required when charged off-session', async () => {
    const method = await saveCard('4000002760003184');
    const error = await cardErrorOf(t.stripe.paymentIntents.create(offSession(method)));
    expect(error.code).toBe('authentication_required');
    const stored = await t.stripe.paymentIntents.retrieve((error.payment_intent as Stripe.PaymentIntent).id);
    expect(stored).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'authentication_required' } });
  });

  it('leaves an on-session confirmation of that card in requires_action', async () => {
    const method = await saveCard('4000002500003155');
    const intent = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'brl', customer: customer.id, payment_method: method, confirm: true });
    expect(intent).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
  });
});

describe('payment intents: magic test methods, idempotent replays and unconfirmed intents', () => {
  it.each([
    ['pm_card_visa', null],
    ['pm_card_chargeDeclined', 'card_declined'],
    ['pm_card_authenticationRequired', 'authentication_required'],
  ])('accepts the magic test payment method %s', async (magic, expectedCode) => {
    const params = { amount: 1000, currency: 'usd', payment_method: magic, off_session: true, confirm: true };
    if (expectedCode === null) {
      const intent = await t.stripe.paymentIntents.create(params);
      expect(intent.status).toBe('succeeded');
      expect(intent.payment_method).toMatch(/^pm_(?!card_)/);
    } else {
      expect((await cardErrorOf(t.stripe.paymentIntents.create(params))).code).toBe(expectedCode);
    }
  });

  it('replays a declined create for the same idempotency key instead of charging again', async () => {
    const first = await cardErrorOf(t.stripe.paymentIntents.create(offSession('pm_card_chargeDeclined', { customer: undefined }), { idempotencyKey: 'auto-topup-1' }));
    const second = await cardErrorOf(t.stripe.paymentIntents.create(offSession('pm_card_chargeDeclined', { customer: undefined }), { idempotencyKey: 'auto-topup-1' }));
    expect((second.payment_intent as Stripe.PaymentIntent).id).toBe((first.payment_intent as Stripe.PaymentIntent).id);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
  });

  it('creates an unconfirmed intent that waits for confirmation', async () => {
    const intent = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'brl' });
    expect(intent).toMatchObject({ status: 'requires_payment_method', amount: 1000 });
    expect((await t.stripe.paymentIntents.retrieve(intent.id)).id).toBe(intent.id);
  });
});

describe('payment intents: validation', () => {
  async function paramOf(params: Stripe.PaymentIntentCreateParams): Promise<string | undefined> {
    const error = await t.stripe.paymentIntents.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    return (error as Stripe.errors.StripeInvalidRequestError).param;
  }

  it('rejects an amount below the currency minimum', async () => {
    expect(await paramOf({ amount: 10, currency: 'brl' })).toBe('amount');
  });

  it('rejects off_session without confirm', async () => {
    expect(await paramOf({ amount: 1000, currency: 'brl', payment_method: 'pm_card_visa', off_session: true })).toBe('off_session');
  });

  it('rejects a card that belongs to another customer', async () => {
    const method = await saveCard('4242424242424242');
    const other = await t.stripe.customers.create({});
    expect(await paramOf(offSession(method, { customer: other.id }))).toBe('payment_method');
  });

  it('rejects an attached card when no customer is given', async () => {
    const method = await saveCard('4242424242424242');
    expect(await paramOf(offSession(method, { customer: undefined }))).toBe('payment_method');
  });

  it('rejects an unknown currency', async () => {
    expect(await paramOf({ amount: 1000, currency: 'xyz' })).toBe('currency');
  });
});

describe('payment intents: listing', () => {
  it('lists a customer’s PaymentIntents newest first and leaves out other customers’', async () => {
    const method = await saveCard('4242424242424242');
    const first = await t.stripe.paymentIntents.create(offSession(method));
    const second = await t.stripe.paymentIntents.create(offSession(method, { amount: 3000 }));
    const stranger = await t.stripe.customers.create({ email: 'other@tenant.test' });
    await t.stripe.paymentIntents.create({ amount: 1000, currency: 'brl', customer: stranger.id });
    const listed = await t.stripe.paymentIntents.list({ customer: customer.id });
    expect(listed.data.map((intent) => intent.id)).toEqual([second.id, first.id]);
    const paged = await t.stripe.paymentIntents.list({ customer: customer.id, limit: 1, starting_after: second.id });
    expect(paged.data.map((intent) => intent.id)).toEqual([first.id]);
  });
});
