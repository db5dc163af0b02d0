import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../sandbox/types.ts';
import { INBOX_RETRY_AFTER_MS, retryPendingEvents } from '../stripe/inbox.ts';
import { asKey } from '../testing/api.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { createTopup, deliver, type Rig, sessionIdOf, startRig, walletOf } from '../testing/stripe-rig.ts';

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

/** A credited top-up (Stripe Tax on: the charge is larger than the credit) and its charge. */
async function creditedTopup(amount: number) {
  const checkout = await createTopup(rig, amount);
  const sessionId = sessionIdOf(checkout.url);
  const session = rig.sandbox.paySession(sessionId, { card: '4242424242424242' });
  await deliver(rig, JSON.stringify(latestEvent('checkout.session.completed', (o) => o.id === sessionId)));
  const intent = latestEvent('payment_intent.succeeded', (o) => o.id === session.payment_intent).data.object as { latest_charge: string; amount: number };
  return { chargeId: intent.latest_charge, chargeMinor: intent.amount, creditedMinor: Math.round(amount * 100) };
}

function dispute(chargeId: string, amountMinor?: number): { disputeId: string; created: StripeEvent } {
  const opened = rig.sandbox.disputeCharge(chargeId, amountMinor);
  return { disputeId: opened.id, created: latestEvent('charge.dispute.created', (o) => o.id === opened.id) };
}

function close(disputeId: string, status: 'won' | 'lost'): StripeEvent {
  rig.sandbox.closeDispute(disputeId, status);
  return latestEvent('charge.dispute.closed', (o) => o.id === disputeId);
}

/** The wallet in minor units (BRL). */
async function walletMinor() {
  const w = await walletOf(rig);
  return { balance: Math.round(w.balance * 100), held: Math.round(w.held * 100), available: Math.round(w.available * 100) };
}

describe('charge.dispute.created / closed: won and lost', () => {
  it('holds the disputed share (available drops, balance unchanged) and releases it when won', async () => {
    const topup = await creditedTopup(50);
    const before = await walletMinor();
    const disputedMinor = Math.floor(topup.chargeMinor / 2);
    const heldMinor = Math.floor((topup.creditedMinor * disputedMinor) / topup.chargeMinor);
    const { disputeId, created } = dispute(topup.chargeId, disputedMinor);
    await deliver(rig, JSON.stringify(created));
    await deliver(rig, JSON.stringify({ ...created, id: `${created.id}_again` }));
    expect(await walletMinor()).toEqual({ balance: before.balance, held: before.held + heldMinor, available: before.available - heldMinor });
    const won = close(disputeId, 'won');
    await deliver(rig, JSON.stringify(won));
    await deliver(rig, JSON.stringify({ ...won, id: `${won.id}_again` }));
    expect(await walletMinor()).toEqual(before);
    // One dispute.opened and one dispute.closed (won, nothing clawed back), whatever the duplicates.
    const rows = await rig.purse.ctx.store.db.selectFrom('events').select(['type', 'data']).where('type', 'in', ['dispute.opened', 'dispute.closed']).orderBy('created_at_ms').orderBy('id').execute();
    const mine = rows.map((r) => ({ type: r.type, data: JSON.parse(r.data) as Record<string, unknown> })).filter((e) => e.data.disputeId === disputeId);
    expect(mine.map((e) => [e.type, e.data.status ?? null, e.data.transactionId ?? null])).toEqual([['dispute.opened', null, null], ['dispute.closed', 'won', null]]);
    expect(Math.round(Number(mine[0]?.data.held) * 100)).toBe(heldMinor);
  });

  it('claws the held share back when lost, once, even below zero, and then refuses spending', async () => {
    const topup = await creditedTopup(40);
    const debit = (amount: string, key: string) => asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': key });
    const { disputeId, created } = dispute(topup.chargeId);
    await deliver(rig, JSON.stringify(created));
    const held = await walletMinor();
    expect(held.held).toBe(topup.creditedMinor);
    // Spend everything still available; the disputed credit cannot be spent.
    expect((await debit((held.available / 100).toFixed(2), 'spend-all-but-the-dispute')).status).toBe(201);
    expect((await debit('0.01', 'spend-the-disputed-part')).body.code).toBe('INSUFFICIENT_FUNDS');
    const lost = close(disputeId, 'lost');
    await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(rig, JSON.stringify(i === 0 ? lost : { ...lost, id: `${lost.id}_${i}` }))));
    expect(await walletMinor()).toEqual({ balance: 0, held: 0, available: 0 });
    const losses = await rig.purse.ctx.store.db.selectFrom('ledger_transactions').selectAll().where('reference', '=', `dispute:${disputeId}:lost`).execute();
    expect(losses.map((t) => [t.kind, t.wallet_amount_minor])).toEqual([['dispute_loss', -BigInt(topup.creditedMinor)]]);
  });
});

describe('charge.dispute.created / closed: late and out-of-order events', () => {
  it('a lost dispute after the money was spent takes the balance below zero', async () => {
    const topup = await creditedTopup(20);
    const { disputeId, created } = dispute(topup.chargeId);
    const before = await walletMinor();
    // The dispute event is late: the customer spends first.
    const spend = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: (before.available / 100).toFixed(2) }, { 'idempotency-key': 'spend-before-dispute' });
    expect(spend.status).toBe(201);
    await deliver(rig, JSON.stringify(created));
    expect(await walletMinor()).toEqual({ balance: 0, held: 2000, available: -2000 });
    await deliver(rig, JSON.stringify(close(disputeId, 'lost')));
    expect(await walletMinor()).toEqual({ balance: -2000, held: 0, available: -2000 });
    await creditedTopup(20);
    expect(await walletMinor()).toEqual({ balance: 0, held: 0, available: 0 });
  });

  it.each(['won', 'lost'] as const)('applies a close (%s) that overtakes its opening at once, and the late opening changes nothing', async (status) => {
    const topup = await creditedTopup(10);
    const before = await walletMinor();
    const { disputeId, created } = dispute(topup.chargeId);
    const closed = close(disputeId, status);
    expect((await deliver(rig, JSON.stringify(closed))).status).toBe(200);
    const lostMinor = status === 'lost' ? topup.creditedMinor : 0;
    const after = { balance: before.balance - lostMinor, held: before.held, available: before.available - lostMinor };
    expect(await walletMinor()).toEqual(after);
    await deliver(rig, JSON.stringify(created));
    expect(await walletMinor()).toEqual(after);
    rig.sandbox.advanceClock(INBOX_RETRY_AFTER_MS / 1000 + 1);
    expect(await retryPendingEvents(rig.purse.ctx)).toBe(0);
    const outcomeOf = async (id: string) => (await rig.purse.ctx.store.db.selectFrom('stripe_events').select('outcome').where('id', '=', id).executeTakeFirstOrThrow()).outcome;
    expect([await outcomeOf(closed.id), await outcomeOf(created.id)]).toEqual([status, 'already_open']);
    const row = await rig.purse.ctx.store.db.selectFrom('disputes').select(['state', 'order_id', 'attempt_id']).where('id', '=', disputeId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: status, attempt_id: null, order_id: expect.stringMatching(/^cto_/) });
  });
});
