import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stripeApiVersion } from './index.ts';
import { control, startTestSandbox, topupSessionParams } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;

beforeEach(async () => {
  t = await startTestSandbox();
});
afterEach(async () => {
  await t.sandbox.close();
});

/** Five events: three refunds (charge.refunded) around clock moves, plus the payment's succeeded event. */
async function seedEvents(): Promise<string[]> {
  const intent = await t.stripe.paymentIntents.create({ amount: 9000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, off_session: true });
  for (let i = 0; i < 3; i += 1) {
    t.sandbox.advanceClock(60);
    await t.stripe.refunds.create({ charge: intent.latest_charge as string, amount: 1000 });
  }
  return t.sandbox.events().map((event) => event.id);
}

describe('events list', () => {
  it('lists events newest first in Stripe list shape, with limit, starting_after and ending_before', async () => {
    const ids = await seedEvents();
    const first = await t.stripe.events.list({ limit: 2 });
    expect(first).toMatchObject({ object: 'list', has_more: true, url: '/v1/events' });
    expect(first.data.map((e) => e.id)).toEqual(ids.slice(0, 2));
    const next = await t.stripe.events.list({ limit: 2, starting_after: ids[1] });
    expect(next.data.map((e) => e.id)).toEqual(ids.slice(2, 4));
    expect(next.has_more).toBe(false);
    const previous = await t.stripe.events.list({ limit: 1, ending_before: ids[2] });
    expect(previous.data.map((e) => e.id)).toEqual([ids[1]]);
    expect(previous.has_more).toBe(true);
  });

  it('auto-paginates through the SDK', async () => {
    const ids = await seedEvents();
    const all: string[] = [];
    for await (const event of t.stripe.events.list({ limit: 1 })) all.push(event.id);
    expect(all).toEqual(ids);
  });

  it('filters by type, by types[] and by a wildcard', async () => {
    await seedEvents();
    expect((await t.stripe.events.list({ type: 'charge.refunded' })).data).toHaveLength(3);
    expect((await t.stripe.events.list({ types: ['payment_intent.succeeded', 'charge.refunded'] })).data).toHaveLength(4);
    expect((await t.stripe.events.list({ type: 'payment_intent.*' })).data.map((e) => e.type)).toEqual(['payment_intent.succeeded']);
  });

  it('filters by created range', async () => {
    await seedEvents();
    const startSeconds = Math.floor(t.sandbox.clock.nowMs() / 1000) - 180;
    expect((await t.stripe.events.list({ created: { gte: startSeconds + 120 } })).data).toHaveLength(2);
    expect((await t.stripe.events.list({ created: { lt: startSeconds + 60 } })).data.map((e) => e.type)).toEqual(['payment_intent.succeeded']);
  });

  it('rejects an unknown cursor and both cursors at once', async () => {
    const ids = await seedEvents();
    await expect(t.stripe.events.list({ starting_after: 'evt_nope' })).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(t.stripe.events.list({ starting_after: ids[0], ending_before: ids[1] })).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });
});

describe('event objects', () => {
  it('retrieves an event with the request that caused it', async () => {
    await t.stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, off_session: true },
      { idempotencyKey: 'pi-key-1' },
    );
    const id = t.sandbox.events()[0]?.id as string;
    const event = await t.stripe.events.retrieve(id);
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_/), object: 'event', type: 'payment_intent.succeeded', api_version: stripeApiVersion,
      livemode: false, pending_webhooks: 0, created: Math.floor(t.sandbox.clock.nowMs() / 1000),
      request: { id: expect.stringMatching(/^req_/), idempotency_key: 'pi-key-1' },
    });
  });

  it('keeps the object as it was when the event happened', async () => {
    const customer = await t.stripe.customers.create({});
    const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const pending = await control(t.sandbox, `/checkout/sessions/${session.id}/pay`, { method: 'delayed' });
    await control(t.sandbox, `/payment_intents/${pending.body.payment_intent as string}/settle`, { outcome: 'succeeded' });
    const completed = (await t.stripe.events.list({ type: 'checkout.session.completed' })).data[0];
    expect(completed?.data.object).toMatchObject({ payment_status: 'unpaid' });
    expect((await t.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
  });

  it('answers an unknown event id with 404', async () => {
    const error = (await t.stripe.events.retrieve('evt_nope').catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(error.statusCode).toBe(404);
  });
});
