import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { control, startTestSandbox, topupSessionParams } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

/** SPEC §8.2: the test cards behave as Stripe's do, off-session, in setup mode and on the hosted page. */
let t: TestSandbox;
let customer: Stripe.Customer;

beforeEach(async () => {
  t = await startTestSandbox();
  customer = await t.stripe.customers.create({});
});
afterEach(async () => {
  await t.sandbox.close();
});

async function setupSession(): Promise<Stripe.Checkout.Session> {
  return t.stripe.checkout.sessions.create({ mode: 'setup', currency: 'brl', customer: customer.id, success_url: 'https://m.test/ok' });
}

async function saveCard(cardNumber: string): Promise<string> {
  const session = await setupSession();
  const done = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: cardNumber });
  expect(done.status).toBe(200);
  return (await t.stripe.setupIntents.retrieve(done.body.setup_intent as string)).payment_method as string;
}

async function chargeOffSession(paymentMethod: string): Promise<{ status: string } | { code: string | undefined; declineCode: string | undefined }> {
  try {
    const intent = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'brl', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true });
    return { status: intent.status };
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
    return { code: error.code, declineCode: error.decline_code };
  }
}

describe('saved test cards charged off-session', () => {
  it.each([
    ['4242424242424242', { status: 'succeeded' }],
    ['4000002500003155', { status: 'succeeded' }],
    ['4000002760003184', { code: 'authentication_required', declineCode: 'authentication_required' }],
    ['4000000000000341', { code: 'card_declined', declineCode: 'generic_decline' }],
  ])('%s saved in setup mode charges off-session as %o', async (number, outcome) => {
    expect(await chargeOffSession(await saveCard(number))).toEqual(outcome);
  });

  it('declines 4000000000009995 off-session with insufficient_funds', async () => {
    expect(await chargeOffSession('pm_card_chargeDeclinedInsufficientFunds')).toEqual({ code: 'card_declined', declineCode: 'insufficient_funds' });
  });

  it('requires authentication off-session from 4000002500003155 when it was never set up for it', async () => {
    const result = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_authenticationRequiredOnSetup', off_session: true, confirm: true })
      .catch((error: unknown) => error);
    expect(result).toMatchObject({ code: 'authentication_required' });
  });

  it('sets 4000002500003155 up for off-session use when a payment with setup_future_usage=off_session saved it', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, { payment_intent_data: { setup_future_usage: 'off_session', metadata: {} } }));
    const paid = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4000002500003155' });
    expect(paid.body).toMatchObject({ status: 'complete', payment_status: 'paid' });
    const intent = await t.stripe.paymentIntents.retrieve(paid.body.payment_intent as string);
    expect(await chargeOffSession(intent.payment_method as string)).toEqual({ status: 'succeeded' });
  });
});

describe('setup mode refuses what Stripe refuses', () => {
  it.each(['4000000000000002', '4000000000009995'])('refuses to save %s and keeps the session open', async (number) => {
    const session = await setupSession();
    const refused = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: number });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ error: { type: 'card_error', code: 'card_declined' } });
    expect((await t.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('refuses to save a 3D Secure card whose authentication failed', async () => {
    const session = await setupSession();
    const refused = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4000002500003155', authentication: 'fail' });
    expect(refused.body).toMatchObject({ error: { code: 'setup_intent_authentication_failure' } });
    expect((await t.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });
});

describe('control API pay with authentication', () => {
  it('pays a 3D Secure card when the challenge is completed, and fails it when the challenge fails', async () => {
    const failed = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const refused = await control(t.sandbox, `/checkout/sessions/${failed.id}/pay`, { card: '4000002760003184', authentication: 'fail' });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ error: { code: 'payment_intent_authentication_failure' } });
    expect(t.sandbox.events().map((e) => e.type)).toContain('payment_intent.payment_failed');
    const paid = await control(t.sandbox, `/checkout/sessions/${failed.id}/pay`, { card: '4000002760003184', authentication: 'complete' });
    expect(paid.body).toMatchObject({ status: 'complete', payment_status: 'paid' });
  });

  it('refuses an authentication value that is neither complete nor fail', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const refused = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { card: '4242424242424242', authentication: 'maybe' });
    expect(refused).toMatchObject({ status: 400, body: { error: { param: 'authentication' } } });
  });
});

describe('hosted page challenge step', () => {
  const card = { action: 'pay', method: 'card', cardExpiry: '12 / 34', cardCvc: '123' };

  async function submit(url: string, fields: Record<string, string>): Promise<{ status: number; location: string | null; html: string }> {
    const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  }

  it('asks 4000002760003184 to authenticate, then pays once the shopper completes it', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const challenged = await submit(session.url as string, { ...card, cardNumber: '4000002760003184' });
    expect(challenged.status).toBe(200);
    expect(challenged.html).toContain('card ending in 3184');
    const completed = await submit(session.url as string, { ...card, cardNumber: '4000002760003184', challenge: 'complete' });
    expect(completed).toMatchObject({ status: 303, location: `https://merchant.test/billing?topup=success&session=${session.id}` });
    expect(await t.stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: 'complete', payment_status: 'paid' });
  });

  it('shows the failure and keeps the session open when the shopper fails the challenge', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const failed = await submit(session.url as string, { ...card, cardNumber: '4000002500003155', challenge: 'fail' });
    expect(failed.status).toBe(402);
    expect(failed.html).toContain('unable to authenticate your payment method');
    expect((await t.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('pays 4242 straight through with no challenge', async () => {
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    expect((await submit(session.url as string, { ...card, cardNumber: '4242424242424242' })).status).toBe(303);
  });
});
