import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { control, startTestSandbox } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;
let intent: Stripe.PaymentIntent;
let chargeId: string;

beforeEach(async () => {
  t = await startTestSandbox();
  intent = await t.stripe.paymentIntents.create({ amount: 10_000, currency: 'brl', payment_method: 'pm_card_visa', confirm: true, off_session: true });
  chargeId = intent.latest_charge as string;
});
afterEach(async () => {
  await t.sandbox.close();
});

describe('refunds', () => {
  it('refunds part of a charge by charge id, then the rest by payment intent, emitting cumulative charge.refunded', async () => {
    const partial = await t.stripe.refunds.create({ charge: chargeId, amount: 3000 });
    expect(partial).toMatchObject({ id: expect.stringMatching(/^re_/), object: 'refund', amount: 3000, charge: chargeId, status: 'succeeded' });
    expect(t.sandbox.events()[0]).toMatchObject({
      type: 'charge.refunded',
      data: { object: { id: chargeId, amount_refunded: 3000, refunded: false }, previous_attributes: { amount_refunded: 0 } },
    });
    const rest = await t.stripe.refunds.create({ payment_intent: intent.id });
    expect(rest.amount).toBe(7000);
    const charge = await t.stripe.charges.retrieve(chargeId);
    expect(charge).toMatchObject({ amount: 10_000, amount_refunded: 10_000, refunded: true });
    expect(t.sandbox.events()[0]?.data.object).toMatchObject({ amount_refunded: 10_000, refunded: true });
  });

  it('refuses to refund more than is left with a 400 naming amount', async () => {
    await t.stripe.refunds.create({ charge: chargeId, amount: 6000 });
    const error = (await t.stripe.refunds.create({ charge: chargeId, amount: 5000 }).catch((e: unknown) => e)) as Stripe.errors.StripeInvalidRequestError;
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.param).toBe('amount');
    expect((await t.stripe.charges.retrieve(chargeId)).amount_refunded).toBe(6000);
  });

  it('refuses to refund a fully refunded charge', async () => {
    await t.stripe.refunds.create({ charge: chargeId });
    const error = (await t.stripe.refunds.create({ charge: chargeId }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(error.code).toBe('charge_already_refunded');
  });

  it('requires a charge or a payment intent', async () => {
    await expect(t.stripe.refunds.create({ amount: 100 })).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('refunds through the control API as the dashboard would', async () => {
    const refunded = await control(t.sandbox, `/charges/${chargeId}/refund`, { amount: 2500 });
    expect(refunded.body).toMatchObject({ object: 'refund', amount: 2500 });
    expect(t.sandbox.events()[0]).toMatchObject({ type: 'charge.refunded', request: { id: null, idempotency_key: null } });
    const tooMuch = await control(t.sandbox, `/charges/${chargeId}/refund`, { amount: 9000 });
    expect(tooMuch.status).toBe(400);
  });
});

describe('disputes', () => {
  it('opens a dispute for the charge amount and closes it as lost', async () => {
    const opened = await control(t.sandbox, `/charges/${chargeId}/dispute`);
    expect(opened.body).toMatchObject({ id: expect.stringMatching(/^dp_/), object: 'dispute', amount: 10_000, charge: chargeId, status: 'needs_response' });
    expect(t.sandbox.events()[0]?.type).toBe('charge.dispute.created');
    expect((await t.stripe.charges.retrieve(chargeId)).disputed).toBe(true);
    const closed = await control(t.sandbox, `/disputes/${opened.body.id as string}/close`, { status: 'lost' });
    expect(closed.body).toMatchObject({ status: 'lost' });
    expect(t.sandbox.events()[0]).toMatchObject({ type: 'charge.dispute.closed', data: { object: { status: 'lost', amount: 10_000 } } });
    expect(await t.stripe.disputes.retrieve(opened.body.id as string)).toMatchObject({ status: 'lost' });
  });

  it('opens a partial dispute and closes it as won, but not twice', async () => {
    const opened = await control(t.sandbox, `/charges/${chargeId}/dispute`, { amount: 4000 });
    expect(opened.body.amount).toBe(4000);
    expect((await control(t.sandbox, `/disputes/${opened.body.id as string}/close`, { status: 'won' })).body).toMatchObject({ status: 'won' });
    expect((await control(t.sandbox, `/disputes/${opened.body.id as string}/close`, { status: 'lost' })).status).toBe(400);
  });

  it('rejects a dispute close without a valid status', async () => {
    const opened = await control(t.sandbox, `/charges/${chargeId}/dispute`);
    const bad = await control(t.sandbox, `/disputes/${opened.body.id as string}/close`, { status: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ param: 'status' });
  });
});
