import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../context.ts';
import { admin, asKey, call } from '../testing/api.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { createTopup, orderOf, type Rig, sessionIdOf, startRig, walletOf, plusMajor } from '../testing/stripe-rig.ts';
import { reconcileStripe } from './reconcile.ts';

// No webhook endpoint is registered: nothing arrives until reconcile goes looking.
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

/** Purse's context with a Stripe whose events list lost everything: only sessions and charges remain. */
function withoutEventsList(ctx: Ctx): Ctx {
  return { ...ctx, payments: { ...ctx.payments, listEvents: async function* () {} } };
}

async function paidUndelivered(amount: number) {
  const checkout = await createTopup(rig, amount);
  const session = rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
  const intent = rig.sandbox.events().find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === session.payment_intent);
  return { orderId: checkout.orderId, chargeId: (intent!.data.object as { latest_charge: string }).latest_charge };
}

describe('POST /v1/admin/reconcile', () => {
  it('answers 401 without the admin key, and to a tenant key', async () => {
    expect((await call(rig.purse, 'POST', '/v1/admin/reconcile', { body: {} })).status).toBe(401);
    const asTenant = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/admin/reconcile', {});
    expect(asTenant.status).toBe(401);
    expect(asTenant.body.code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['zero hours', { sinceHours: 0 }],
    ['a fraction', { sinceHours: 1.5 }],
    ['a string', { sinceHours: '24' }],
    ['beyond Stripe\'s 30 days', { sinceHours: 721 }],
    ['an unknown field', { since: 24 }],
  ])('answers 400 VALIDATION_ERROR for %s', async (_name, body) => {
    const res = await admin(rig.purse, 'POST', '/v1/admin/reconcile', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it('credits a paid top-up whose events never arrived, and reports {scanned, recovered}', async () => {
    const before = await walletOf(rig);
    const { orderId } = await paidUndelivered(30);
    const first = await admin(rig.purse, 'POST', '/v1/admin/reconcile', { sinceHours: 1 });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['recovered', 'scanned']);
    expect(first.body.recovered).toBeGreaterThanOrEqual(1);
    expect(first.body.scanned).toBeGreaterThanOrEqual(first.body.recovered);
    expect((await orderOf(rig, orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 30));
    const again = await admin(rig.purse, 'POST', '/v1/admin/reconcile', {});
    expect(again.body.recovered).toBe(0);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 30));
  });
});

describe('reconcile without the events list', () => {
  it('finds a paid Checkout session whose events Stripe never sent, and credits it once', async () => {
    const before = await walletOf(rig);
    const { orderId } = await paidUndelivered(12);
    const ctx = withoutEventsList(rig.purse.ctx);
    const [a, b] = await Promise.all([reconcileStripe(ctx), reconcileStripe(ctx)]);
    expect(a.recovered + b.recovered).toBe(1);
    expect((await orderOf(rig, orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 12));
  });

  it('finds an expired Checkout session whose checkout.session.expired never arrived, and expires its order', async () => {
    const checkout = await createTopup(rig, 7);
    rig.sandbox.expireSession(sessionIdOf(checkout.url));
    const ctx = withoutEventsList(rig.purse.ctx);
    expect((await reconcileStripe(ctx)).recovered).toBe(1);
    expect((await orderOf(rig, checkout.orderId)).state).toBe('expired');
  });

  it('finds a refunded charge whose charge.refunded never arrived, and claws back once', async () => {
    const { chargeId } = await paidUndelivered(15);
    const ctx = withoutEventsList(rig.purse.ctx);
    await reconcileStripe(ctx);
    const credited = await walletOf(rig);
    rig.sandbox.refundCharge(chargeId);
    const run = await reconcileStripe(ctx);
    expect(run.recovered).toBe(1);
    expect((await walletOf(rig)).balance).toBe(credited.balance - 15);
    expect((await reconcileStripe(ctx)).recovered).toBe(0);
  });
});
