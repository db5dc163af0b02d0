import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey } from '../testing/api.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { type Rig, startRig } from '../testing/stripe-rig.ts';
import { runAutoTopups } from './run-auto-topups.ts';
import { attemptsOf, autoTopupCredits, autoTopupOf, balanceOf, chargesAtStripe, debit, eventsOf, tenantWithAutoTopup, work } from '../testing/auto-topup.ts';

const CONCURRENT_DEBITS = 200;

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ currency: 'USD' });
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

describe(`auto top-up trigger: which movements start a charge and for how much (${testDatabaseKind()})`, () => {
  it('leaves a debit that stays above the threshold alone', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 100 });
    expect((await debit(rig, tenant, 10)).status).toBe(201);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
    expect((await autoTopupOf(rig, tenant)).inFlight).toBeNull();
  });

  it(`charges exactly once when ${CONCURRENT_DEBITS} concurrent debits cross the threshold`, async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 100 });
    const results = await Promise.all(Array.from({ length: CONCURRENT_DEBITS }, () => debit(rig, tenant, '0.30')));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(await balanceOf(rig, tenant)).toBe(40);
    const pending = await attemptsOf(rig, tenant);
    expect(pending).toEqual([expect.objectContaining({ state: 'pending', amount: 20 })]);
    expect((await autoTopupOf(rig, tenant)).inFlight).toMatchObject({ id: pending[0]!.id, state: 'pending' });
    await work(rig);
    await work(rig);
    expect(chargesAtStripe(rig, tenant)).toHaveLength(1);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
    expect(await attemptsOf(rig, tenant)).toEqual([expect.objectContaining({ state: 'succeeded', paymentIntentId: chargesAtStripe(rig, tenant)[0] })]);
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'active', chargedThisMonth: 20, inFlight: null });
    await expectLedgerSound(rig.purse);
  });

  it('charges target − available for a target balance, and triggers again on the next crossing', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, settings: { amount: undefined, targetBalance: 100 } });
    await debit(rig, tenant, 15);
    await work(rig);
    expect(await balanceOf(rig, tenant)).toBe(100);
    await debit(rig, tenant, '55.5');
    await work(rig);
    expect(await balanceOf(rig, tenant)).toBe(100);
    expect((await attemptsOf(rig, tenant)).map((a) => [a.state, a.amount])).toEqual([['succeeded', 55.5], ['succeeded', 55]]);
  });

  it('triggers on a hold, a capture and an adjustment as on a debit', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    const hold = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: 15 }, { 'idempotency-key': 'hold-1' });
    expect(hold.status).toBe(201);
    expect(await attemptsOf(rig, tenant)).toEqual([expect.objectContaining({ state: 'pending' })]);
    await work(rig);
    const capture = await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/holds/${hold.body.hold.id}/capture`, { amount: 15 });
    expect(capture.status).toBe(200);
    expect(await balanceOf(rig, tenant)).toBe(65);
    const adjusted = await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/wallet');
    expect(adjusted.body.available).toBe(65);
    const { admin } = await import('../testing/api.ts');
    expect((await admin(rig.purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: -20, reason: 'correction' })).status).toBe(201);
    expect((await attemptsOf(rig, tenant))[0]).toMatchObject({ state: 'pending' });
  });
});

describe(`auto top-up trigger: monthly cap (${testDatabaseKind()})`, () => {
  it('never goes past the monthly cap, with two workers and debits racing, and caps once', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, settings: { monthlyCap: 50 } });
    const second = await startTestPurse({}, { shareDatabaseOf: rig.purse, payments: rig.purse.ctx.payments, nowMs: rig.purse.ctx.nowMs });
    try {
      for (let round = 0; round < 4; round += 1) {
        await Promise.all([
          ...Array.from({ length: 10 }, () => debit(rig, tenant, 3)),
          runAutoTopups(rig.purse.ctx), runAutoTopups(second.ctx),
        ]);
        await Promise.all([runAutoTopups(rig.purse.ctx), runAutoTopups(second.ctx)]);
        await rig.sandbox.webhooks.idle();
      }
    } finally {
      await second.close();
    }
    const attempts = await attemptsOf(rig, tenant);
    const succeeded = attempts.filter((a) => a.state === 'succeeded');
    expect(succeeded.reduce((sum, a) => sum + a.amount, 0)).toBeLessThanOrEqual(50);
    expect(succeeded).toHaveLength(2);
    expect(attempts.filter((a) => a.state === 'capped')).toHaveLength(1);
    expect(chargesAtStripe(rig, tenant)).toHaveLength(2);
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'active', chargedThisMonth: 40 });
    expect(await eventsOf(rig, tenant, 'auto_topup.capped')).toEqual([expect.objectContaining({ amount: 20, monthlyCap: 50 })]);
    expect(await eventsOf(rig, tenant, 'auto_topup.succeeded')).toHaveLength(2);
  });

  it('re-arms a capped wallet when the month turns', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, settings: { monthlyCap: 20 } });
    await debit(rig, tenant, 15);
    await work(rig);
    await debit(rig, tenant, 30);
    await work(rig);
    expect((await attemptsOf(rig, tenant)).map((a) => a.state)).toEqual(['capped', 'succeeded']);
    rig.sandbox.clock.advance(40 * 24 * 60 * 60);
    await work(rig);
    await debit(rig, tenant, 1);
    await work(rig);
    expect((await attemptsOf(rig, tenant)).map((a) => a.state)).toEqual(['succeeded', 'capped', 'succeeded']);
    expect(await eventsOf(rig, tenant, 'auto_topup.capped')).toHaveLength(1);
  });
});
