import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WalletHook } from '../events/money-moved.ts';
import type { StripeEvent } from '../sandbox/types.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { createTopup, deliver, orderOf, plusMajor, type Rig, sessionIdOf, startRig, walletOf } from '../testing/stripe-rig.ts';
import { INBOX_CLAIM_MS, retryPendingEvents } from './inbox.ts';

/**
 * The inbox's one-commit path (inbox.ts receiveEvent): a paid top-up's checkout.session.completed is
 * stored, credited and marked processed in one transaction. These pin down that it keeps the inbox's
 * promises (SPEC §3.3): dedupe by event id, the outcome recorded, a failure left for the retry job.
 */
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});
afterAll(async () => {
  await rig?.close();
});

async function paidButUndelivered(amount: number): Promise<{ orderId: string; completed: StripeEvent }> {
  const checkout = await createTopup(rig, amount);
  const sessionId = sessionIdOf(checkout.url);
  rig.sandbox.paySession(sessionId, { card: '4242424242424242' });
  const completed = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId);
  if (!completed) throw new Error(`no completed event for ${sessionId}`);
  return { orderId: checkout.orderId, completed };
}

function storedEvent(id: string) {
  return rig.purse.ctx.store.db.selectFrom('stripe_events').select(['outcome', 'attempts', 'processed_at_ms', 'claimed_until_ms', 'last_error']).where('id', '=', id).executeTakeFirst();
}

async function creditsOf(orderId: string): Promise<number> {
  const rows = await rig.purse.ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', '=', `topup:${orderId}`).execute();
  return rows.length;
}

describe('one-commit ingest of a paid top-up: the credit and its duplicates', () => {
  it('credits, records the outcome as processed, and answers a redelivery as a duplicate without effect', async () => {
    const before = await walletOf(rig);
    const { orderId, completed } = await paidButUndelivered(40);
    const payload = JSON.stringify(completed);
    expect(await deliver(rig, payload)).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    expect(await storedEvent(completed.id)).toMatchObject({ outcome: 'credited', attempts: 1n, claimed_until_ms: null, last_error: null });
    expect((await storedEvent(completed.id))?.processed_at_ms).not.toBeNull();
    expect(await deliver(rig, payload)).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 40));
    expect(await creditsOf(orderId)).toBe(1);
    expect((await storedEvent(completed.id))?.attempts).toBe(1n);
  });

  it('credits once when 8 copies of the event arrive at once: one fresh, seven duplicates', async () => {
    const before = await walletOf(rig);
    const { orderId, completed } = await paidButUndelivered(45);
    const payload = JSON.stringify(completed);
    const results = await Promise.all(Array.from({ length: 8 }, () => deliver(rig, payload)));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 45));
    expect(await creditsOf(orderId)).toBe(1);
    expect((await orderOf(rig, orderId)).state).toBe('paid');
    await expectLedgerSound(rig.purse);
  });
});

describe('one-commit ingest of a paid top-up: a disagreeing amount and a failing handler', () => {
  it('records an amount that disagrees with the order as its outcome, credits nothing, and is not retried', async () => {
    const before = await walletOf(rig);
    const { orderId, completed } = await paidButUndelivered(30);
    const session = completed.data.object as Record<string, unknown>;
    const tampered = { ...completed, id: `${completed.id}_tampered`, data: { object: { ...session, amount_subtotal: 1 } } };
    expect((await deliver(rig, JSON.stringify(tampered))).body).toEqual({ received: true, duplicate: false });
    expect(await storedEvent(tampered.id)).toMatchObject({ outcome: 'amount_mismatch', attempts: 1n, last_error: null });
    expect((await walletOf(rig)).balance).toBe(before.balance);
    expect((await orderOf(rig, orderId)).state).toBe('open');
    expect(rig.purse.logs()).toMatch(/amount or currency disagrees with the order/);
  });

  it('leaves an event whose handler throws stored with attempts and last_error, and the retry job credits it once', async () => {
    const ctx = rig.purse.ctx;
    const hooks = ctx.walletHooks;
    const failing: WalletHook = async () => {
      throw new Error('wallet hook unavailable');
    };
    const before = await walletOf(rig);
    const { orderId, completed } = await paidButUndelivered(20);
    ctx.walletHooks = [...(hooks ?? []), failing];
    try {
      // The one-commit path rolls back whole; the two-commit path stores it and records the failure.
      expect((await deliver(rig, JSON.stringify(completed))).body).toEqual({ received: true, duplicate: false });
    } finally {
      ctx.walletHooks = hooks;
    }
    expect(rig.purse.logs()).toMatch(new RegExp(`"eventId":"${completed.id}".*not handled in one commit`));
    const stored = await storedEvent(completed.id);
    expect(stored).toMatchObject({ outcome: null, processed_at_ms: null, attempts: 1n, claimed_until_ms: null });
    expect(stored?.last_error).toMatch(/wallet hook unavailable/);
    expect(await creditsOf(orderId)).toBe(0);
    expect((await deliver(rig, JSON.stringify(completed))).body).toEqual({ received: true, duplicate: true });

    rig.sandbox.advanceClock(INBOX_CLAIM_MS / 1000 + 1);
    expect(await retryPendingEvents(ctx)).toBe(1);
    expect(await storedEvent(completed.id)).toMatchObject({ outcome: 'credited', attempts: 2n });
    expect(await creditsOf(orderId)).toBe(1);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 20));
    await expectLedgerSound(rig.purse);
  });
});
