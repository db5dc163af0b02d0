import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../sandbox/types.ts';
import { INBOX_RETRY_AFTER_MS, retryPendingEvents } from '../stripe/inbox.ts';
import { asKey } from '../testing/api.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { createTopup, deliver, orderOf, type Rig, sessionIdOf, startRig, walletOf } from '../testing/stripe-rig.ts';

// Webhooks are delivered by hand, so each test decides how many times and in which order.
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

function latestEvent(type: string, matches: (object: Record<string, unknown>) => boolean): StripeEvent {
  const event = rig.sandbox.events().find((e) => e.type === type && matches(e.data.object as Record<string, unknown>));
  if (!event) throw new Error(`no ${type} event`);
  return event;
}

/**
 * A top-up paid and credited (its completed event delivered); returns the Stripe charge behind it. Stripe
 * Tax is on (the rig's default), so the charge is more than what was credited: the ratio is what counts.
 */
async function creditedTopup(amount: number): Promise<{ orderId: string; chargeId: string; chargeMinor: number; creditedMinor: number }> {
  const checkout = await createTopup(rig, amount);
  const sessionId = sessionIdOf(checkout.url);
  const session = rig.sandbox.paySession(sessionId, { card: '4242424242424242' });
  await deliver(rig, JSON.stringify(latestEvent('checkout.session.completed', (o) => o.id === sessionId)));
  expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
  const intent = latestEvent('payment_intent.succeeded', (o) => o.id === session.payment_intent).data.object as { latest_charge: string; amount: number };
  return { orderId: checkout.orderId, chargeId: intent.latest_charge, chargeMinor: intent.amount, creditedMinor: Math.round(amount * 100) };
}

/** SPEC §8.4 worked by hand: credited × refunded ÷ charge, rounded down. */
function shareMinor(t: { chargeMinor: number; creditedMinor: number }, refundedMinor: number): number {
  return Math.floor((t.creditedMinor * refundedMinor) / t.chargeMinor);
}

/** Wallet balance in minor units (BRL: two decimals). */
async function balanceMinor(): Promise<number> {
  return Math.round((await walletOf(rig)).balance * 100);
}

/** Refunds in Stripe and returns the charge.refunded event it emitted (not yet delivered). */
function refund(chargeId: string, amountMinor?: number): StripeEvent {
  rig.sandbox.refundCharge(chargeId, amountMinor);
  return latestEvent('charge.refunded', (o) => o.id === chargeId);
}

/** The outbox rows of one type about one charge, oldest first (the events endpoints would receive). */
async function eventsAbout(type: string, chargeId: string): Promise<Array<Record<string, unknown>>> {
  const rows = await rig.purse.ctx.store.db.selectFrom('events').select(['data']).where('type', '=', type).orderBy('created_at_ms').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.data) as Record<string, unknown>).filter((d) => d.chargeId === chargeId);
}

async function clawbacksOf(chargeId: string) {
  return rig.purse.ctx.store.db.selectFrom('refund_clawbacks').selectAll().where('charge_id', '=', chargeId).orderBy('created_at_ms').execute();
}

describe('charge.refunded claws back the credited share', () => {
  it('claws back in proportion over several partial refunds, cumulatively, ending at exactly the credit', async () => {
    const start = await balanceMinor();
    const topup = await creditedTopup(100);
    expect(topup.chargeMinor, 'Stripe Tax makes the charge larger than the credit').toBeGreaterThan(topup.creditedMinor);
    const first = Math.floor(topup.chargeMinor * 0.3);
    const second = Math.floor(topup.chargeMinor * 0.25);
    let refunded = 0;
    for (const step of [first, second, topup.chargeMinor - first - second]) {
      refunded += step;
      await deliver(rig, JSON.stringify(refund(topup.chargeId, step)));
      expect(await balanceMinor()).toBe(start + topup.creditedMinor - shareMinor(topup, refunded));
    }
    expect(await balanceMinor()).toBe(start);
    const rows = await clawbacksOf(topup.chargeId);
    expect(rows.map((r) => r.reference)).toEqual([first, first + second, topup.chargeMinor].map((n) => `refund:${topup.chargeId}:${n}`));
    expect(rows.reduce((sum, r) => sum + r.clawed_back_minor, 0n)).toBe(BigInt(topup.creditedMinor));
    // One refund.clawed_back per clawback, in the same commit, carrying what was taken back.
    const events = await eventsAbout('refund.clawed_back', topup.chargeId);
    expect(events.map((e) => e.transactionId)).toEqual(rows.map((r) => r.transaction_id));
    expect(events.map((e) => Math.round(Number(e.clawedBack) * 100))).toEqual(rows.map((r) => Number(r.clawed_back_minor)));
  });

  it('claws back once per new amount whatever the duplicates and the order of delivery', async () => {
    const start = await balanceMinor();
    const topup = await creditedTopup(80);
    const part = Math.floor(topup.chargeMinor / 4);
    const first = refund(topup.chargeId, part);
    const second = refund(topup.chargeId, part);
    const third = refund(topup.chargeId);
    // Newest first, each twice, the oldest last: the full refund claws back everything at once.
    for (const event of [third, third, second, first, second, first]) await deliver(rig, JSON.stringify(event));
    expect(await balanceMinor()).toBe(start);
    expect(await clawbacksOf(topup.chargeId)).toHaveLength(1);
    const redeliveredUnderNewIds = [first, second, third].map((e) => ({ ...e, id: `${e.id}_again` }));
    for (const event of redeliveredUnderNewIds) await deliver(rig, JSON.stringify(event));
    expect(await balanceMinor()).toBe(start);
  });
});

describe('charge.refunded under concurrent deliveries', () => {
  it('claws back once when the same refund event is delivered 20 times concurrently', async () => {
    const start = await balanceMinor();
    const topup = await creditedTopup(40);
    const refundedMinor = Math.floor(topup.chargeMinor / 3);
    const payload = JSON.stringify(refund(topup.chargeId, refundedMinor));
    const results = await Promise.all(Array.from({ length: 20 }, () => deliver(rig, payload)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(await balanceMinor()).toBe(start + topup.creditedMinor - shareMinor(topup, refundedMinor));
    expect(await clawbacksOf(topup.chargeId)).toHaveLength(1);
    expect(await eventsAbout('refund.clawed_back', topup.chargeId)).toHaveLength(1);
  });

  it('claws back each new amount once when distinct refund events for one charge race (20 deliveries)', async () => {
    const start = await balanceMinor();
    const topup = await creditedTopup(60);
    const part = Math.floor(topup.chargeMinor / 5);
    const events = [refund(topup.chargeId, part), refund(topup.chargeId, part), refund(topup.chargeId, part)];
    // Distinct event ids carrying the same cumulative figures, so the inbox cannot deduplicate them.
    const deliveries = Array.from({ length: 20 }, (_, i) => ({ ...events[i % 3]!, id: `${events[i % 3]!.id}_${i}` }));
    await Promise.all(deliveries.map((e) => deliver(rig, JSON.stringify(e))));
    const clawedMinor = shareMinor(topup, 3 * part);
    expect(await balanceMinor()).toBe(start + topup.creditedMinor - clawedMinor);
    expect((await clawbacksOf(topup.chargeId)).reduce((sum, r) => sum + r.clawed_back_minor, 0n)).toBe(BigInt(clawedMinor));
  });
});

describe('charge.refunded against a spent or not yet credited top-up', () => {
  it('takes the balance below zero after spending, then refuses debits and holds until it is positive again', async () => {
    const topup = await creditedTopup(30);
    const debit = (amount: number | string, key: string) => asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': key });
    expect((await debit(((await balanceMinor() - 500) / 100).toFixed(2), 'spend-before-refund')).status).toBe(201);
    await deliver(rig, JSON.stringify(refund(topup.chargeId)));
    expect(await walletOf(rig)).toMatchObject({ balance: -25, available: -25 });
    const refused = await debit(1, 'spend-while-negative');
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('INSUFFICIENT_FUNDS');
    const hold = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: 1 });
    expect(hold.body.code).toBe('INSUFFICIENT_FUNDS');
    await creditedTopup(26);
    expect((await debit(1, 'spend-after-topup')).status).toBe(201);
    expect(await balanceMinor()).toBe(0);
  });

  it('keeps a refund that overtakes checkout.session.completed and claws back once the credit is in', async () => {
    const checkout = await createTopup(rig, 20);
    const sessionId = sessionIdOf(checkout.url);
    const session = rig.sandbox.paySession(sessionId, { card: '4242424242424242' });
    const chargeId = (latestEvent('payment_intent.succeeded', (o) => o.id === session.payment_intent).data.object as { latest_charge: string }).latest_charge;
    const start = await balanceMinor();
    const refunded = refund(chargeId);
    expect((await deliver(rig, JSON.stringify(refunded))).status).toBe(200);
    expect(await balanceMinor()).toBe(start);
    await deliver(rig, JSON.stringify(latestEvent('checkout.session.completed', (o) => o.id === sessionId)));
    expect(await balanceMinor()).toBe(start + 2000);
    rig.sandbox.advanceClock(INBOX_RETRY_AFTER_MS / 1000 + 1);
    expect(await retryPendingEvents(rig.purse.ctx)).toBeGreaterThanOrEqual(1);
    expect(await balanceMinor()).toBe(start);
    const stored = await rig.purse.ctx.store.db.selectFrom('stripe_events').select('outcome').where('id', '=', refunded.id).executeTakeFirstOrThrow();
    expect(stored.outcome).toBe('clawed_back');
  });
});
