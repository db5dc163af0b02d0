import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_RETRY_BATCH, receiveEvent, retryPendingEvents } from './inbox.ts';
import { reconcileStripe } from './reconcile.ts';
import { WAITING_OUTCOME } from './waiting-events.ts';
import { type CrashBench, injectExpecting, setupBenchTenant, startCrashBench } from '../testing/crash.ts';
import { sessionIdOf } from '../testing/stripe-rig.ts';

/**
 * Issue 19's 1,000-schedule chaos run: an add-card checkout was paid and its completion acknowledged, yet the
 * card was never saved. `purse serve` died (SIGKILL, crash point `webhook:after-inbox-insert`) with the
 * completion stored and not processed; the retry job read only the fifty oldest unprocessed events, and fifty
 * older refunds parked on a top-up not credited yet filled that page on every pass, so the completion was
 * never looked at again. Reproduced here with the real process and the same fifty parked events; and
 * reconcile recovers such a card from Stripe's session, exactly once, as well.
 */
const CRASH_TEST_TIMEOUT_MS = 600_000;
const CARD_OK = '4242424242424242';
/** The parked refunds arrived just before the completion (what makes them the older page of the inbox). */
const PARKED_BEFORE_MS = 1_000;
const REFUND_MINOR = 1;

let bench: CrashBench;
beforeAll(async () => {
  bench = await startCrashBench();
});
afterAll(async () => {
  await bench?.close();
});

/** An add-card checkout paid at Stripe; its completion, delivered to a child that dies right after storing it. */
async function addCardStrandedByCrash(tenantKey: string): Promise<{ completed: Stripe.Event; orderId: string }> {
  await bench.serve({ crashAt: 'webhook:after-inbox-insert' });
  const res = await bench.request('POST', '/v1/billing/checkout', { headers: { 'x-api-key': tenantKey }, body: { purpose: 'add_card' } });
  expect(res.status).toBe(200);
  const checkout = res.body as { orderId: string; url: string };
  const sessionId = sessionIdOf(checkout.url);
  bench.sandbox.paySession(sessionId, { card: CARD_OK });
  const completed = bench.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId) as Stripe.Event;
  await expect(bench.deliver(completed)).rejects.toThrow();
  await bench.crashed();
  return { completed, orderId: checkout.orderId };
}

/** A paid top-up whose completion never came, and INBOX_RETRY_BATCH refunds of it, each parked on its credit. */
async function parkRefundsBefore(tenantKey: string, receivedAtMs: number): Promise<void> {
  const checkout = await bench.withPurse((purse) => injectExpecting(purse, 200, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 80 }, { 'x-api-key': tenantKey }));
  const session = bench.sandbox.paySession(sessionIdOf(checkout.url), { card: CARD_OK });
  const intent = bench.sandbox.events().find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === session.payment_intent) as Stripe.Event;
  const chargeId = (intent.data.object as { latest_charge: string }).latest_charge;
  const earlier = await bench.openCtx(() => receivedAtMs - PARKED_BEFORE_MS);
  for (let i = 0; i < INBOX_RETRY_BATCH; i += 1) bench.sandbox.refundCharge(chargeId, REFUND_MINOR);
  const refunds = bench.sandbox.events().filter((e) => e.type === 'charge.refunded' && (e.data.object as { id: string }).id === chargeId);
  expect(refunds).toHaveLength(INBOX_RETRY_BATCH);
  for (const refund of refunds) await receiveEvent(earlier, refund as unknown as Stripe.Event, JSON.stringify(refund));
  const parked = await earlier.store.db.selectFrom('stripe_events').select('id').where('outcome', '=', WAITING_OUTCOME).where('processed_at_ms', 'is', null).execute();
  expect(parked.length).toBeGreaterThanOrEqual(INBOX_RETRY_BATCH);
}

async function cardsOf(tenantKey: string): Promise<unknown[]> {
  const res = await bench.request('GET', '/v1/billing/payment-methods', { headers: { 'x-api-key': tenantKey } });
  expect(res.status).toBe(200);
  return res.body.data;
}

async function armAutoTopup(tenantKey: string): Promise<number> {
  const res = await bench.request('PUT', '/v1/billing/auto-topup', { headers: { 'x-api-key': tenantKey }, body: { enabled: true, threshold: 10, amount: 20 } });
  return res.status;
}

async function inboxRow(eventId: string) {
  const ctx = await bench.openCtx();
  return ctx.store.db.selectFrom('stripe_events').select(['outcome', 'processed_at_ms', 'received_at_ms', 'claimed_until_ms', 'failed_at_ms']).where('id', '=', eventId).executeTakeFirstOrThrow();
}

async function orderState(orderId: string): Promise<string> {
  const ctx = await bench.openCtx();
  return (await ctx.store.db.selectFrom('checkout_orders').select('state').where('id', '=', orderId).executeTakeFirstOrThrow()).state;
}

describe('SIGKILL between storing an add-card completion and processing it', () => {
  it('saves the card exactly once after the restart, though fifty older events wait parked in the inbox', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench, 0, 'USD');
    const { completed, orderId } = await addCardStrandedByCrash(tenant.tenantKey);
    const stranded = await inboxRow(completed.id);
    expect(stranded).toMatchObject({ processed_at_ms: null, outcome: null });
    await parkRefundsBefore(tenant.tenantKey, Number(stranded.received_at_ms));
    await bench.serve();
    // Stripe got no 2xx and delivers again: a duplicate, acknowledged without effect.
    expect(await bench.deliver(completed)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    // Past the dead child's claim; the parked refunds' re-check time is not due yet. Two instances race for it.
    const later = await bench.openCtx(() => Number(stranded.claimed_until_ms) + 1);
    const [a, b] = await Promise.all([retryPendingEvents(later), retryPendingEvents(later)]);
    expect(a + b).toBeLessThanOrEqual(1);
    expect(await inboxRow(completed.id)).toMatchObject({ outcome: 'saved:moved', failed_at_ms: null });
    expect(await orderState(orderId)).toBe('completed');
    expect(await cardsOf(tenant.tenantKey)).toHaveLength(1);
    expect(await armAutoTopup(tenant.tenantKey)).toBe(200);
    expect(await retryPendingEvents(later)).toBe(0);
    expect(await cardsOf(tenant.tenantKey)).toHaveLength(1);
  });

  it('is recovered by reconcile from the session as well, and the stored completion then changes nothing', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench, 0, 'USD');
    const { completed, orderId } = await addCardStrandedByCrash(tenant.tenantKey);
    const stranded = await inboxRow(completed.id);
    const ctx = await bench.openCtx();
    // With the child dead: nothing but reconcile can apply it now.
    const report = await reconcileStripe(ctx);
    expect(report.recovered).toBeGreaterThanOrEqual(1);
    expect(await orderState(orderId)).toBe('completed');
    const saved = await ctx.store.db.selectFrom('payment_methods').select('id').where('tenant_id', '=', tenant.tenantId).execute();
    expect(saved).toHaveLength(1);
    await bench.serve();
    expect(await cardsOf(tenant.tenantKey)).toHaveLength(1);
    const later = await bench.openCtx(() => Number(stranded.claimed_until_ms) + 1);
    await retryPendingEvents(later);
    expect(await inboxRow(completed.id)).toMatchObject({ outcome: 'already_completed', failed_at_ms: null });
    expect(await cardsOf(tenant.tenantKey)).toHaveLength(1);
    expect(await armAutoTopup(tenant.tenantKey)).toBe(200);
  });
});
