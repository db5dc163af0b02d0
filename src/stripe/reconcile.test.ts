import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.ts';
import { createTopup, orderOf, type Rig, sessionIdOf, startRig, walletOf, plusMajor } from '../testing/stripe-rig.ts';
import { reconcileStripe } from './reconcile.ts';

// No webhook endpoint is registered: every event is "missed" until reconcile fetches it.
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});
afterAll(() => rig.close());

describe('reconcileStripe', () => {
  it('credits a paid top-up whose webhook never arrived, once, however often it runs', async () => {
    const before = await walletOf(rig);
    const checkout = await createTopup(rig, 75);
    rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
    expect((await orderOf(rig, checkout.orderId)).state).toBe('open');

    const first = await reconcileStripe(rig.purse.ctx);
    expect(first.recovered).toBeGreaterThanOrEqual(1);
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 75));

    const [again, concurrent] = await Promise.all([reconcileStripe(rig.purse.ctx), reconcileStripe(rig.purse.ctx)]);
    expect(again.recovered + concurrent.recovered).toBe(0);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 75));
    expect((await verifyLedger(rig.purse.ctx.store.db)).ok).toBe(true);
  });

  it('recovers an expiry too, and leaves events outside the look-back alone', async () => {
    const checkout = await createTopup(rig, 5);
    rig.sandbox.expireSession(sessionIdOf(checkout.url));
    rig.sandbox.advanceClock(2 * 60 * 60);
    expect(await reconcileStripe(rig.purse.ctx, 60 * 60)).toEqual({ scanned: 0, recovered: 0 });
    expect((await orderOf(rig, checkout.orderId)).state).toBe('open');
    expect((await reconcileStripe(rig.purse.ctx)).recovered).toBe(1);
    expect((await orderOf(rig, checkout.orderId)).state).toBe('expired');
  });
});
