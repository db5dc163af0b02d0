import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerSound } from '../testing/ledger.ts';
import type { StripeEvent } from '../sandbox/types.ts';
import { asKey, setupTenant } from '../testing/api.ts';
import { createTopup, deliver, orderOf, type Rig, sessionIdOf, startRig, walletOf, plusMajor } from '../testing/stripe-rig.ts';

// Webhooks are delivered by hand here, so each test decides how many times, in which order, and when.
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});
afterAll(async () => {
  await rig?.close();
});

function eventFor(type: string, sessionId: string): StripeEvent {
  const event = rig.sandbox.events().find((e) => e.type === type && (e.data.object as { id: string }).id === sessionId);
  if (!event) throw new Error(`no ${type} event for ${sessionId}`);
  return event;
}

/** A paid top-up whose webhooks nobody has received yet. */
async function paidButUndelivered(amount: number) {
  const checkout = await createTopup(rig, amount);
  const sessionId = sessionIdOf(checkout.url);
  rig.sandbox.paySession(sessionId, { card: '4242424242424242' });
  return { checkout, sessionId, completed: eventFor('checkout.session.completed', sessionId) };
}

/** Stripe never sends both for one session, but a handler must survive any mix of signed events. */
function expiredTwin(completed: StripeEvent): StripeEvent {
  const session = completed.data.object as Record<string, unknown>;
  return { ...completed, id: `${completed.id}_expired`, type: 'checkout.session.expired', data: { object: { ...session, status: 'expired', payment_status: 'unpaid' } } } as StripeEvent;
}

describe('exactly-once credit', () => {
  it('credits once when the same completed event arrives 5 times concurrently', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidButUndelivered(50);
    const payload = JSON.stringify(completed);
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(rig, payload)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 50));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
  });

  it('credits once when distinct events (completed, async succeeded) for one order race', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidButUndelivered(35);
    const twin = { ...completed, id: `${completed.id}_async`, type: 'checkout.session.async_payment_succeeded' };
    await Promise.all([deliver(rig, JSON.stringify(completed)), deliver(rig, JSON.stringify(twin)), deliver(rig, JSON.stringify(completed))]);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 35));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
  });

  it('credits when completed arrives after expired (money received wins), once', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidButUndelivered(25);
    await deliver(rig, JSON.stringify(expiredTwin(completed)));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('expired');
    await deliver(rig, JSON.stringify(completed));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 25));
  });

  it('keeps a paid order paid when expired arrives after completed', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidButUndelivered(45);
    await deliver(rig, JSON.stringify(completed));
    await deliver(rig, JSON.stringify(expiredTwin(completed)));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 45));
  });

  it('does not credit a session whose amount disagrees with the order, and says so loudly', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidButUndelivered(60);
    const session = completed.data.object as Record<string, unknown>;
    const forged = { ...completed, id: `${completed.id}_forged`, data: { object: { ...session, amount_subtotal: 600000 } } };
    const res = await deliver(rig, JSON.stringify(forged));
    expect(res.status).toBe(200);
    expect((await walletOf(rig)).balance).toBe(before.balance);
    expect((await orderOf(rig, checkout.orderId)).state).toBe('open');
    expect(rig.purse.logs()).toContain('disagrees with the order');
  });

  it('acknowledges a duplicate without processing it again', async () => {
    const { completed } = await paidButUndelivered(5);
    const first = await deliver(rig, JSON.stringify(completed));
    const again = await deliver(rig, JSON.stringify(completed));
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(again.body).toEqual({ received: true, duplicate: true });
  });
});

describe('webhook secret rotation', () => {
  it('accepts events signed with any configured secret and rejects others', async () => {
    const rotating = await startRig({ deliverWebhooks: false, env: { STRIPE_WEBHOOK_SECRET: 'whsec_old_secret_1,whsec_new_secret_2' } });
    try {
      const payload = (id: string) => JSON.stringify({ id, object: 'event', type: 'customer.updated', created: 1, data: { object: { id: 'cus_1' } } });
      const now = Math.floor(rotating.sandbox.clock.nowMs() / 1000);
      expect((await deliver(rotating, payload('evt_rot_1'), now, 'whsec_old_secret_1')).status).toBe(200);
      expect((await deliver(rotating, payload('evt_rot_2'), now, 'whsec_new_secret_2')).status).toBe(200);
      expect((await deliver(rotating, payload('evt_rot_3'), now, 'whsec_someone_else')).status).toBe(400);
    } finally {
      await rotating.close();
    }
  });
});

describe('Stripe failing at checkout creation', () => {
  it('answers 502 STRIPE_UNAVAILABLE, marks the order failed, charges nothing', async () => {
    rig.sandbox.setFaults({ failNext: 4, status: 500 });
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 50 });
    rig.sandbox.setFaults({ failNext: 0, status: 500 });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: 'Payment provider unavailable', code: 'STRIPE_UNAVAILABLE', requestId: res.headers['x-request-id'] });
    const latest = await rig.purse.ctx.store.db.selectFrom('checkout_orders').selectAll().where('tenant_id', '=', rig.tenant.tenantId)
      .orderBy('created_at_ms', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(latest.state).toBe('failed');
    expect(latest.failure_code).toBe('stripe_unavailable');
    expect(latest.stripe_session_id).toBeNull();
  });

  it('answers 502 when Stripe hangs past the timeout', async () => {
    const slow = await startRig({ env: { STRIPE_TIMEOUT_MS: '300' } });
    try {
      slow.sandbox.setFaults({ failNext: 4, delayMs: 1500 });
      const res = await asKey(slow.purse, slow.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 50 });
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('STRIPE_UNAVAILABLE');
    } finally {
      await slow.close();
    }
  });
});

describe('Idempotency-Key on checkout', () => {
  it('replays the first order and URL for the same key and body', async () => {
    const headers = { 'idempotency-key': 'topup-abc-1' };
    const first = await createTopup(rig, 70, headers);
    const again = await createTopup(rig, 70, headers);
    expect(again).toEqual(first);
  });

  it('answers 409 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
    await createTopup(rig, 70, { 'idempotency-key': 'topup-abc-2' });
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 71 }, { 'idempotency-key': 'topup-abc-2' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('creates one order for concurrent requests with one key', async () => {
    const headers = { 'idempotency-key': 'topup-abc-3' };
    const send = () => asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 80 }, headers);
    const results = await Promise.all(Array.from({ length: 6 }, send));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((r) => r.body.orderId)).size).toBe(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    const orders = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', rig.tenant.tenantId).where('amount_minor', '=', 8000n).execute();
    expect(orders).toHaveLength(1);
  });

  it('keeps keys per tenant: the same key from another tenant is a different request', async () => {
    const other = await setupTenant(rig.purse);
    const a = await createTopup(rig, 90, { 'idempotency-key': 'shared-key' });
    const b = await asKey(rig.purse, other.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 90 }, { 'idempotency-key': 'shared-key' });
    expect(b.status).toBe(200);
    expect(b.body.orderId).not.toBe(a.orderId);
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(rig.purse);
});
