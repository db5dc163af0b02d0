import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../sandbox/types.ts';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import { INBOX_RETRY_AFTER_MS, retryPendingEvents } from '../stripe/inbox.ts';
import { reconcileStripe } from '../stripe/reconcile.ts';
import type { TestTenant } from '../testing/api.ts';
import { attemptsOf, autoTopupOf, debit, eventsOf, tenantWithAutoTopup } from '../testing/auto-topup.ts';
import { testDatabaseKind } from '../testing/harness.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { deliver, type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { setupTenant, asKey } from '../testing/api.ts';

/**
 * Issue 19: every charge Purse makes maps back to its credit — a Checkout top-up, an auto top-up's
 * off-session charge, and the recovery page's on-session payment of a paused attempt — so a refund or a
 * dispute of any of them takes back the credited share. Webhooks are delivered by hand, in the order each
 * test chooses.
 */
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

interface Charged {
  tenant: TestTenant;
  chargeId: string;
  chargeMinor: number;
  creditedMinor: number;
  /** The events that credit it, not delivered yet (empty when the credit already landed). */
  creditEvents: StripeEvent[];
  /** `orderId` or `attemptId` as events name the credit. */
  source: { orderId: string | null; attemptId: string | null };
}

function eventFor(type: string, objectId: string): StripeEvent {
  const event = rig.sandbox.events().filter((e) => e.type === type && (e.data.object as { id: string }).id === objectId)[0];
  if (!event) throw new Error(`no ${type} for ${objectId}`);
  return event;
}

function latest(type: string): StripeEvent {
  const event = rig.sandbox.events().find((e) => e.type === type);
  if (!event) throw new Error(`no ${type}`);
  return event;
}

async function chargeOf(intentId: string): Promise<{ id: string; amount: number }> {
  const intent = await rig.stripe.paymentIntents.retrieve(intentId);
  return { id: intent.latest_charge as string, amount: intent.amount };
}

/** A paid Checkout top-up of 30 USD; its checkout.session.completed is held back. */
async function checkoutCharge(): Promise<Charged> {
  const tenant = await setupTenant(rig.purse, 'USD');
  const res = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 30 });
  const checkout = res.body as { url: string; orderId: string };
  const session = rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
  const charge = await chargeOf(session.payment_intent as string);
  return { tenant, chargeId: charge.id, chargeMinor: charge.amount, creditedMinor: 3000, creditEvents: [eventFor('checkout.session.completed', session.id)], source: { orderId: checkout.orderId, attemptId: null } };
}

/** Auto top-up {threshold 50, amount 20} charged off-session and credited by the worker's confirm response. */
async function offSessionCharge(): Promise<Charged> {
  const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
  await debit(rig, tenant, 20);
  expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['credited']);
  const [attempt] = await attemptsOf(rig, tenant);
  const charge = await chargeOf(attempt!.paymentIntentId!);
  return { tenant, chargeId: charge.id, chargeMinor: charge.amount, creditedMinor: 2000, creditEvents: [], source: { orderId: null, attemptId: attempt!.id } };
}

/** A paused attempt (the card needs authentication) paid on its recovery page; payment_intent.succeeded held back. */
async function recoveryCharge(): Promise<Charged> {
  const tenant = await tenantWithAutoTopup(rig, { fund: 60, card: '4000002760003184' });
  await debit(rig, tenant, 20);
  expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['action_required']);
  const paused = await autoTopupOf(rig, tenant);
  const sessionId = /(cs_test_[A-Za-z0-9]+)/.exec(paused.recoveryUrl as string)![1]!;
  const session = rig.sandbox.paySession(sessionId, { card: '4000002500003155', authentication: 'complete' });
  const [attempt] = await attemptsOf(rig, tenant);
  const charge = await chargeOf(session.payment_intent as string);
  return { tenant, chargeId: charge.id, chargeMinor: charge.amount, creditedMinor: 2000, creditEvents: [eventFor('payment_intent.succeeded', session.payment_intent as string)], source: { orderId: null, attemptId: attempt!.id } };
}

const KINDS = { 'a Checkout top-up': checkoutCharge, 'an auto top-up (off-session)': offSessionCharge, 'an auto top-up paid on its recovery page': recoveryCharge };

async function walletMinor(tenant: TestTenant) {
  const w = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body as { balance: number; held: number };
  return { balance: Math.round(w.balance * 100), held: Math.round(w.held * 100) };
}

async function deliverAll(events: StripeEvent[]): Promise<void> {
  for (const event of events) expect((await deliver(rig, JSON.stringify(event))).status).toBe(200);
}

/** What each kind of money back does at Stripe, and what it must take from the wallet (balance, held). */
const MONEY_BACK = {
  'refunded in full': { act: (c: Charged) => [refund(c.chargeId)], takes: (c: Charged) => ({ balance: c.creditedMinor, held: 0 }) },
  'refunded in part (a third)': {
    act: (c: Charged) => [refund(c.chargeId, Math.floor(c.chargeMinor / 3))],
    takes: (c: Charged) => ({ balance: Math.floor((c.creditedMinor * Math.floor(c.chargeMinor / 3)) / c.chargeMinor), held: 0 }),
  },
  'disputed and lost': { act: (c: Charged) => disputeClosed(c.chargeId, 'lost'), takes: (c: Charged) => ({ balance: c.creditedMinor, held: 0 }) },
  'disputed and won': { act: (c: Charged) => disputeClosed(c.chargeId, 'won'), takes: () => ({ balance: 0, held: 0 }) },
  'disputed, still open': { act: (c: Charged) => [disputeOpened(c.chargeId)], takes: (c: Charged) => ({ balance: 0, held: -c.creditedMinor }) },
};

function refund(chargeId: string, amount?: number): StripeEvent {
  rig.sandbox.refundCharge(chargeId, amount);
  return latest('charge.refunded');
}

function disputeOpened(chargeId: string): StripeEvent {
  const dispute = rig.sandbox.disputeCharge(chargeId);
  return eventFor('charge.dispute.created', dispute.id);
}

function disputeClosed(chargeId: string, status: 'won' | 'lost'): StripeEvent[] {
  const created = disputeOpened(chargeId);
  rig.sandbox.closeDispute((created.data.object as { id: string }).id, status);
  return [created, eventFor('charge.dispute.closed', (created.data.object as { id: string }).id)];
}

describe(`money back from every kind of charge (${testDatabaseKind()})`, () => {
  const cases = Object.entries(KINDS).flatMap(([kind, make]) => Object.entries(MONEY_BACK).map(([back, how]) => [kind, back, make, how] as const));

  it.each(cases)('%s %s: the wallet gives back exactly the credited share', async (_kind, _back, make, how) => {
    const charge = await make();
    await deliverAll(charge.creditEvents);
    const before = await walletMinor(charge.tenant);
    await deliverAll(how.act(charge));
    const takes = how.takes(charge);
    expect(await walletMinor(charge.tenant)).toEqual({ balance: before.balance - takes.balance, held: before.held - takes.held });
    const named = [...await eventsOf(rig, charge.tenant, 'refund.clawed_back'), ...await eventsOf(rig, charge.tenant, 'dispute.opened')];
    for (const data of named) expect(data).toMatchObject(charge.source);
  });

  it.each(Object.entries(KINDS))('%s refunded before its credit landed: parked, then clawed back once when the credit lands', async (_kind, make) => {
    const charge = await make();
    if (charge.creditEvents.length === 0) return expect(charge.source.attemptId).toMatch(/^atu_/); // credited synchronously: nothing can overtake it
    const before = await walletMinor(charge.tenant);
    const refunded = refund(charge.chargeId);
    await deliverAll([refunded]);
    expect(await walletMinor(charge.tenant)).toEqual(before);
    expect(await storedOutcome(refunded.id)).toEqual({ outcome: 'waiting', processed: false, failed: false, attempts: 0 });
    await deliverAll(charge.creditEvents);
    await drainInbox();
    expect(await walletMinor(charge.tenant)).toEqual(before);
    expect(await storedOutcome(refunded.id)).toEqual({ outcome: 'clawed_back', processed: true, failed: false, attempts: 1 });
  });
});

async function storedOutcome(eventId: string) {
  const row = await rig.purse.ctx.store.db.selectFrom('stripe_events').select(['outcome', 'processed_at_ms', 'failed_at_ms', 'attempts', 'waiting_for'])
    .where('id', '=', eventId).executeTakeFirstOrThrow();
  return { outcome: row.outcome, processed: row.processed_at_ms !== null, failed: row.failed_at_ms !== null, attempts: Number(row.attempts) };
}

/** The retry job as it runs every few seconds, until nothing it can do is left. */
async function drainInbox(): Promise<void> {
  rig.sandbox.advanceClock(INBOX_RETRY_AFTER_MS / 1000 + 1);
  for (let pass = 0; pass < 10 && (await retryPendingEvents(rig.purse.ctx)) > 0; pass += 1) rig.sandbox.advanceClock(1);
}

/** Every order of: the credit, a partial refund, the dispute opened, the dispute closed lost — for one charge. */
const STEPS = ['completed', 'refunded', 'dispute created', 'dispute closed'] as const;
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe(`arrival order of one charge's events (${testDatabaseKind()})`, () => {
  it.each(permutations(STEPS).map((order) => [order.join(' → '), order] as const))('%s: credited once, refund and lost dispute clawed back once each', async (_name, order) => {
    const charge = await checkoutCharge();
    const refundMinor = Math.floor(charge.chargeMinor / 4);
    const refunded = refund(charge.chargeId, refundMinor);
    const [created, closed] = disputeClosed(charge.chargeId, 'lost');
    const byStep = { completed: charge.creditEvents[0]!, refunded, 'dispute created': created!, 'dispute closed': closed! };
    await deliverAll(order.map((step) => byStep[step]));
    await drainInbox();
    const disputedMinor = charge.chargeMinor - refundMinor;
    const expected = 0 - Math.floor((3000 * refundMinor) / charge.chargeMinor) - Math.floor((3000 * disputedMinor) / charge.chargeMinor) + 3000;
    expect(await walletMinor(charge.tenant)).toEqual({ balance: expected, held: 0 });
    for (const event of Object.values(byStep)) expect((await storedOutcome(event.id)).processed).toBe(true);
    const kinds = await rig.purse.ctx.store.db.selectFrom('ledger_transactions').select('kind').where('tenant_id', '=', charge.tenant.tenantId).orderBy('kind').execute();
    expect(kinds.map((k) => k.kind)).toEqual(['dispute_loss', 'refund_clawback', 'topup']);
  });

  it('reconcile applies a parked refund whose credit reconcile itself recovered (the completion never arrived)', async () => {
    const charge = await checkoutCharge();
    const refunded = refund(charge.chargeId);
    await deliverAll([refunded]);
    expect((await storedOutcome(refunded.id)).outcome).toBe('waiting');
    await reconcileStripe(rig.purse.ctx);
    expect(await walletMinor(charge.tenant)).toEqual({ balance: 0, held: 0 });
    // Reconcile's charge scan took the refund back first; the parked event, looked at again, finds nothing new.
    expect(await storedOutcome(refunded.id)).toEqual({ outcome: 'nothing_new', processed: true, failed: false, attempts: 1 });
    const clawbacks = await rig.purse.ctx.store.db.selectFrom('refund_clawbacks').select('clawed_back_minor').where('charge_id', '=', charge.chargeId).execute();
    expect(clawbacks.map((c) => c.clawed_back_minor)).toEqual([3000n]);
  });
});
