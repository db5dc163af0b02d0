import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey } from '../testing/api.ts';
import { saveCard } from '../testing/cards.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { testDatabaseKind } from '../testing/harness.ts';
import { type Rig, deliver, startRig } from '../testing/stripe-rig.ts';
import { stripeIdempotencyKey } from '../gateway/stripe-gateway.ts';
import { PROCESSING_RECHECK_AFTER_MS } from './charge-attempt.ts';
import { runAutoTopups } from './run-auto-topups.ts';
import { creditAttempt } from './settle-attempt.ts';
import { attemptsOf, autoTopupCredits, autoTopupOf, balanceOf, chargesAtStripe, debit, eventsOf, tenantWithAutoTopup } from '../testing/auto-topup.ts';
import { paymentOutcomeOf } from '../gateway/payment-outcome.ts';

const HOUR_SECONDS = 60 * 60;

/** Webhooks are delivered by hand here, so each test decides whether the confirm response or the event comes first. */
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ currency: 'USD', deliverWebhooks: false });
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

function sandboxEvent(type: string, intentId: string) {
  const event = rig.sandbox.events().find((e) => e.type === type && (e.data.object as { id: string }).id === intentId);
  if (!event) throw new Error(`no ${type} for ${intentId}`);
  return JSON.stringify(event);
}

/** The worker's request reaches Stripe but its answer is lost: Stripe charged, Purse has recorded nothing yet. */
async function chargedBehindPursesBack(tenant: Awaited<ReturnType<typeof tenantWithAutoTopup>>) {
  await debit(rig, tenant, 20);
  const [attempt] = await attemptsOf(rig, tenant);
  const paymentMethodId = await defaultCardId(tenant.tenantKey);
  await rig.purse.ctx.store.db.updateTable('auto_topup_attempts')
    .set({ state: 'processing', payment_method_id: paymentMethodId, claimed_until_ms: BigInt(rig.sandbox.clock.nowMs() + 1000) })
    .where('id', '=', attempt!.id).execute();
  const customer = (await rig.purse.ctx.store.db.selectFrom('tenants').select('stripe_customer_id').where('id', '=', tenant.tenantId).executeTakeFirstOrThrow()).stripe_customer_id!;
  const intent = await rig.stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', customer, payment_method: paymentMethodId, off_session: true, confirm: true, description: 'Wallet auto top-up',
    metadata: { autoTopupAttemptId: attempt!.id, tenantId: tenant.tenantId },
  }, { idempotencyKey: stripeIdempotencyKey('auto_topup', attempt!.id) });
  return { attemptId: attempt!.id, intent };
}

describe(`auto top-up charge: confirm response and webhook in either order (${testDatabaseKind()})`, () => {
  it('credits once when the confirm response comes first and payment_intent.succeeded follows, twice', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    await debit(rig, tenant, 20);
    const pass = await runAutoTopups(rig.purse.ctx);
    expect(Object.values(pass.charged)).toEqual(['credited']);
    const [intentId] = chargesAtStripe(rig, tenant);
    const payload = sandboxEvent('payment_intent.succeeded', intentId!);
    expect((await deliver(rig, payload)).status).toBe(200);
    expect((await deliver(rig, payload.replace(/"id":"evt_/, '"id":"evt_again_'))).status).toBe(200);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
    expect(await eventsOf(rig, tenant, 'auto_topup.succeeded')).toEqual([expect.objectContaining({ amount: 20, paymentIntentId: intentId })]);
  });

  it('credits once when payment_intent.succeeded comes before the confirm response', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    const { attemptId, intent } = await chargedBehindPursesBack(tenant);
    expect((await deliver(rig, sandboxEvent('payment_intent.succeeded', intent.id))).status).toBe(200);
    expect(await balanceOf(rig, tenant)).toBe(60);
    // The worker's confirm response, arriving late, finds the attempt already credited.
    expect(await creditAttempt(rig.purse.ctx, attemptId, paymentOutcomeOf(intent))).toBe('already_credited');
    rig.sandbox.clock.advance(2);
    expect((await runAutoTopups(rig.purse.ctx)).charged).toEqual({});
    expect(chargesAtStripe(rig, tenant)).toEqual([intent.id]);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
  });

  it('finishes an attempt whose worker died after Stripe charged: same key, same PaymentIntent, one credit', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    const { attemptId, intent } = await chargedBehindPursesBack(tenant);
    expect((await runAutoTopups(rig.purse.ctx)).charged).toEqual({});
    rig.sandbox.clock.advance(2);
    expect((await runAutoTopups(rig.purse.ctx)).charged).toEqual({ [attemptId]: 'credited' });
    expect((await deliver(rig, sandboxEvent('payment_intent.succeeded', intent.id))).status).toBe(200);
    expect(chargesAtStripe(rig, tenant)).toEqual([intent.id]);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
  });

  it('finishes an attempt whose worker stayed down past Stripe’s 24-hour key lifetime without charging again', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    const { attemptId, intent } = await chargedBehindPursesBack(tenant);
    rig.sandbox.clock.advance(25 * HOUR_SECONDS);
    expect((await runAutoTopups(rig.purse.ctx)).charged).toEqual({ [attemptId]: 'credited' });
    expect(chargesAtStripe(rig, tenant)).toEqual([intent.id]);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
  });
});

describe(`auto top-up charge: declines retried then disabled (${testDatabaseKind()})`, () => {
  it('retries a decline after 1 h, 6 h and 24 h, then disables auto top-up', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, card: '4000000000000341' });
    await debit(rig, tenant, 20);
    const delaysHours = [1, 6, 24];
    await runAutoTopups(rig.purse.ctx);
    for (const [index, hours] of delaysHours.entries()) {
      expect((await attemptsOf(rig, tenant)).map((a) => a.state)).toEqual(Array(index + 1).fill('failed'));
      await debit(rig, tenant, 1);
      rig.sandbox.clock.advance(hours * HOUR_SECONDS - 1);
      expect(await runAutoTopups(rig.purse.ctx)).toMatchObject({ retriesStarted: 0, charged: {} });
      rig.sandbox.clock.advance(1);
      expect((await runAutoTopups(rig.purse.ctx)).retriesStarted).toBe(1);
    }
    const attempts = await attemptsOf(rig, tenant);
    expect(attempts.map((a) => [a.state, a.failure?.code])).toEqual(Array(4).fill(['failed', 'generic_decline']));
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ enabled: true, state: 'disabled', inFlight: null });
    expect(await eventsOf(rig, tenant, 'auto_topup.failed')).toHaveLength(4);
    expect(await eventsOf(rig, tenant, 'auto_topup.disabled')).toHaveLength(1);
    expect(await autoTopupCredits(rig, tenant)).toBe(0);
    await debit(rig, tenant, 1);
    expect((await runAutoTopups(rig.purse.ctx)).charged).toEqual({});
    const resumed = await asKey(rig.purse, tenant.tenantKey, 'PUT', '/v1/billing/auto-topup', { enabled: true, threshold: 50, amount: 20 });
    expect(resumed.body).toMatchObject({ state: 'active', pausedReason: null });
  });
});

describe(`auto top-up charge: pauses and resumes (${testDatabaseKind()})`, () => {
  it('pauses for authentication with a recovery page; paying it credits that attempt once and resumes', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, card: '4000002760003184' });
    await debit(rig, tenant, 20);
    expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['action_required']);
    const paused = await autoTopupOf(rig, tenant);
    expect(paused).toMatchObject({ state: 'paused', pausedReason: 'authentication_required', recoveryUrl: expect.stringContaining('/c/pay/cs_test_'), inFlight: null });
    const [attempt] = await attemptsOf(rig, tenant);
    expect(attempt).toMatchObject({ state: 'action_required', failure: { code: 'authentication_required' } });
    expect(await eventsOf(rig, tenant, 'auto_topup.action_required')).toEqual([expect.objectContaining({ attemptId: attempt!.id, recoveryUrl: paused.recoveryUrl })]);
    await debit(rig, tenant, 5);
    expect((await runAutoTopups(rig.purse.ctx)).charged).toEqual({});

    const sessionId = /(cs_test_[A-Za-z0-9]+)/.exec(paused.recoveryUrl as string)![1]!;
    const session = rig.sandbox.paySession(sessionId, { card: '4000002500003155', authentication: 'complete' });
    const payload = sandboxEvent('payment_intent.succeeded', session.payment_intent as string);
    expect((await deliver(rig, payload)).status).toBe(200);
    expect((await deliver(rig, payload.replace(/"id":"evt_/, '"id":"evt_again_'))).status).toBe(200);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(55);
    expect((await attemptsOf(rig, tenant))[0]).toMatchObject({ id: attempt!.id, state: 'succeeded', paymentIntentId: session.payment_intent });
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'active', pausedReason: null, recoveryUrl: null });
    const cards = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data;
    expect(cards[0]).toMatchObject({ last4: '3155', isDefault: true });

    await debit(rig, tenant, 10);
    expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['credited']);
    expect(await balanceOf(rig, tenant)).toBe(65);
  });

  it('pauses when the last card is removed and resumes when a card is saved', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    const [card] = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data;
    expect((await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${card.id}`)).status).toBe(200);
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'paused', pausedReason: 'no_payment_method' });
    expect(await eventsOf(rig, tenant, 'payment_method.removed')).toEqual([expect.objectContaining({ paymentMethodId: card.id })]);
    await debit(rig, tenant, 20);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
    const put = await asKey(rig.purse, tenant.tenantKey, 'PUT', '/v1/billing/auto-topup', { enabled: true, threshold: 50, amount: 20 });
    expect(put.body.code).toBe('NO_PAYMENT_METHOD');
    await saveCard(rig, tenant, '5555555555554444');
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'active', pausedReason: null });
    await debit(rig, tenant, 1);
    expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['credited']);
  });
});

describe(`auto top-up charge: slow and unavailable Stripe (${testDatabaseKind()})`, () => {
  it('leaves a PaymentIntent still processing alone until its webhook, asking Stripe again only after the recheck interval; one charge, one credit', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    await debit(rig, tenant, 20);
    rig.sandbox.leaveCardPaymentsProcessing(1);
    const [pending] = await attemptsOf(rig, tenant);
    expect((await runAutoTopups(rig.purse.ctx)).charged[pending!.id]).toBe('processing');
    const [attempt] = await attemptsOf(rig, tenant);
    expect(attempt).toMatchObject({ state: 'processing', paymentIntentId: expect.stringMatching(/^pi_/) });
    // Long past the charge's own claim, short of the recheck: the worker does not touch it.
    rig.sandbox.clock.advance(PROCESSING_RECHECK_AFTER_MS / 1000 - 1);
    expect((await runAutoTopups(rig.purse.ctx)).charged[attempt!.id]).toBeUndefined();
    rig.sandbox.clock.advance(1);
    expect((await runAutoTopups(rig.purse.ctx)).charged[attempt!.id]).toBe('processing');
    expect((await runAutoTopups(rig.purse.ctx)).charged[attempt!.id]).toBeUndefined();
    expect(await autoTopupCredits(rig, tenant)).toBe(0);
    rig.sandbox.settlePayment(attempt!.paymentIntentId!, 'succeeded');
    expect((await deliver(rig, sandboxEvent('payment_intent.succeeded', attempt!.paymentIntentId!))).status).toBe(200);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(chargesAtStripe(rig, tenant)).toEqual([attempt!.paymentIntentId]);
    expect(await balanceOf(rig, tenant)).toBe(60);
    expect((await attemptsOf(rig, tenant))[0]).toMatchObject({ state: 'succeeded', paymentIntentId: attempt!.paymentIntentId });
  });

  it('keeps trying through a Stripe outage with the same idempotency key and charges once', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    await debit(rig, tenant, 20);
    rig.sandbox.setFaults({ failNext: 2, status: 500 });
    expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['stripe_unavailable']);
    expect((await autoTopupOf(rig, tenant)).inFlight).toMatchObject({ state: 'processing' });
    rig.sandbox.clock.advance(10);
    expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['credited']);
    expect(chargesAtStripe(rig, tenant)).toHaveLength(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
  });
});

async function defaultCardId(tenantKey: string): Promise<string> {
  const cards = (await asKey(rig.purse, tenantKey, 'GET', '/v1/billing/payment-methods')).body.data as Array<{ id: string; isDefault: boolean }>;
  return cards.find((c) => c.isDefault)!.id;
}
