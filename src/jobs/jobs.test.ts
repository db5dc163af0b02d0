import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../sandbox/types.ts';
import { IDEMPOTENCY_RETENTION_MS } from '../idempotency/idempotency.ts';
import { INBOX_RETRY_AFTER_MS } from '../stripe/inbox.ts';
import { reconcileStripe } from '../stripe/reconcile.ts';
import { asKey } from '../testing/api.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import { type Rig, createTopup, deliver, orderOf, sessionIdOf, startRig, walletOf, plusMajor } from '../testing/stripe-rig.ts';
import { JOBS } from './jobs.ts';
import { type ManualTimers, manualTimers } from './scheduler.ts';

/**
 * Each job run the way the scheduler runs it (its entry in JOBS, on the app's context) against a real
 * database and the sandbox, with the rig's manual clock; then the scheduler itself, ticked by hand.
 */
const VISA = '4242424242424242';
const SECOND_MS = 1000;
let rig: Rig;
let timers: ManualTimers;

beforeAll(async () => {
  timers = manualTimers();
  rig = await startRig({ deliverWebhooks: false, purse: { jobs: { timers } } });
});
afterAll(async () => {
  await rig?.close();
});

function job(name: string) {
  const found = JOBS.find((j) => j.name === name);
  if (!found) throw new Error(`no job ${name}`);
  return () => found.run(rig.purse.ctx);
}

function advanceMs(ms: number): void {
  rig.sandbox.clock.advance(ms / SECOND_MS);
}

function completedEventOf(sessionId: string): StripeEvent {
  const event = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId);
  if (!event) throw new Error(`no completed event for ${sessionId}`);
  return event;
}

async function storedEvent(id: string) {
  return rig.purse.ctx.store.db.selectFrom('stripe_events').select(['processed_at_ms', 'attempts', 'outcome', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
}

async function placeHold(amount: number, expiresInSeconds: number) {
  const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/holds', { amount, expiresInSeconds });
  expect(res.status).toBe(201);
  return res.body.hold as { id: string };
}

async function holdState(id: string): Promise<string> {
  return (await rig.purse.ctx.store.db.selectFrom('holds').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
}

describe('stripe-inbox-retry', () => {
  it('processes an acknowledged event whose handler failed, once it is due, and only once', async () => {
    const checkout = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    expect(checkout.status).toBe(200);
    const sessionId = sessionIdOf(checkout.body.url);
    rig.sandbox.paySession(sessionId, { card: VISA });
    const event = completedEventOf(sessionId);
    // The handler reads the saved card from Stripe: make that fail (the SDK tries twice), then deliver.
    rig.sandbox.setFaults({ failNext: 2, status: 500 });
    const delivery = await deliver(rig, JSON.stringify(event));
    rig.sandbox.setFaults({ failNext: 0 });
    expect(delivery).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await storedEvent(event.id)).toMatchObject({ processed_at_ms: null, attempts: 1n, outcome: null });
    expect((await storedEvent(event.id)).last_error).toBeTruthy();
    expect((await orderOf(rig, checkout.body.orderId)).state).toBe('open');

    // Not yet due: a retry waits INBOX_RETRY_AFTER_MS after receipt.
    expect(await job('stripe-inbox-retry')()).toBe(0);
    advanceMs(INBOX_RETRY_AFTER_MS);
    expect(await job('stripe-inbox-retry')()).toBe(1);
    expect(await storedEvent(event.id)).toMatchObject({ attempts: 2n, outcome: 'saved:moved' });
    expect((await orderOf(rig, checkout.body.orderId)).state).toBe('completed');
    const methods = await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/payment-methods');
    expect(methods.body.data).toHaveLength(1);
    // Processed events are never picked up again.
    advanceMs(INBOX_RETRY_AFTER_MS);
    expect(await job('stripe-inbox-retry')()).toBe(0);
  });
});

describe('hold-expiry', () => {
  it('releases holds past their expiry and leaves the others', async () => {
    await fundWallet(rig.purse, rig.tenant.tenantId, 100);
    const short = await placeHold(10, 60);
    const long = await placeHold(20, 3600);
    expect((await walletOf(rig)).held).toBe(30);
    expect(await job('hold-expiry')()).toBe(0);
    advanceMs(60 * SECOND_MS);
    expect(await job('hold-expiry')()).toBe(1);
    expect([await holdState(short.id), await holdState(long.id)]).toEqual(['expired', 'held']);
    expect((await walletOf(rig)).held).toBe(20);
    expect(await job('hold-expiry')()).toBe(0);
    advanceMs(3600 * SECOND_MS);
    expect(await job('hold-expiry')()).toBe(1);
    expect((await walletOf(rig)).held).toBe(0);
  });
});

describe('idempotency-prune', () => {
  it('forgets Idempotency-Keys after the retention, so the key then starts a new checkout', async () => {
    const headers = { 'idempotency-key': 'prune-me' };
    const first = await createTopup(rig, 20, headers);
    expect((await createTopup(rig, 20, headers)).orderId).toBe(first.orderId);
    advanceMs(IDEMPOTENCY_RETENTION_MS);
    await job('idempotency-prune')();
    expect((await createTopup(rig, 20, headers)).orderId).toBe(first.orderId);
    advanceMs(1);
    await job('idempotency-prune')();
    expect((await createTopup(rig, 20, headers)).orderId).not.toBe(first.orderId);
  });
});

describe('stripe-reconcile', () => {
  it('recovers a paid top-up whose webhook never arrived, within its two-hour look back, once', async () => {
    const before = await walletOf(rig);
    const recent = await createTopup(rig, 30);
    rig.sandbox.paySession(sessionIdOf(recent.url), { card: VISA });
    advanceMs(60 * SECOND_MS);
    // Other events of earlier tests (sessions the sandbox expired) are recovered too; the paid one is what counts.
    expect((await job('stripe-reconcile')() as { recovered: number }).recovered).toBeGreaterThanOrEqual(1);
    expect((await orderOf(rig, recent.orderId)).state).toBe('paid');
    expect(await job('stripe-reconcile')()).toMatchObject({ recovered: 0 });
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 30));
  });

  it('leaves older events to `purse reconcile` (the job looks back two hours only)', async () => {
    const old = await createTopup(rig, 40);
    rig.sandbox.paySession(sessionIdOf(old.url), { card: VISA });
    advanceMs(3 * 60 * 60 * SECOND_MS);
    await job('stripe-reconcile')();
    expect((await orderOf(rig, old.orderId)).state).toBe('open');
    expect((await reconcileStripe(rig.purse.ctx)).recovered).toBeGreaterThanOrEqual(1);
    expect((await orderOf(rig, old.orderId)).state).toBe('paid');
  });
});

describe('the scheduler in a started Purse', () => {
  it('runs every job on each tick of its timers, and stops them on close', async () => {
    expect(timers.active()).toBe(JOBS.length);
    const lapsing = await placeHold(5, 60);
    const unpaid = await createTopup(rig, 45);
    rig.sandbox.paySession(sessionIdOf(unpaid.url), { card: VISA });
    advanceMs(60 * SECOND_MS);
    // Nothing runs between ticks: the hold is lapsed but still held, the paid order still open.
    expect(await holdState(lapsing.id)).toBe('held');
    timers.tick();
    await rig.purse.jobs!.idle();
    expect(await holdState(lapsing.id)).toBe('expired');
    expect((await orderOf(rig, unpaid.orderId)).state).toBe('paid');
  });

  it('leaves the ledger sound after every job above', async () => {
    await expectLedgerSound(rig.purse);
  });

  it('cancels its timers when Purse closes', async () => {
    await rig.purse.jobs!.stop();
    expect(timers.active()).toBe(0);
  });
});
