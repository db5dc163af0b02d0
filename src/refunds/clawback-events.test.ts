import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import type { StripeEvent } from '../sandbox/types.ts';
import { type TestTenant, asKey } from '../testing/api.ts';
import { attemptsOf, debit, eventsOf, tenantWithAutoTopup } from '../testing/auto-topup.ts';
import { testDatabaseKind } from '../testing/harness.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { type Rig, deliver, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

// A refund or dispute is the provider taking money back: the wallet events fire on a crossing, auto top-up never starts.
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

function latestEvent(type: string, matches: (object: Record<string, unknown>) => boolean): StripeEvent {
  const event = [...rig.sandbox.events()].reverse().find((e) => e.type === type && matches(e.data.object as Record<string, unknown>));
  if (!event) throw new Error(`no ${type} event`);
  return event;
}

/**
 * A tenant with a card, auto top-up armed (threshold 50, amount 20), a low-balance alert at 80 and a paid
 * 100.00 top-up (the webhooks delivered by the sandbox): returns the tenant and the charge behind the top-up.
 */
async function tenantWithPaidTopup(): Promise<{ tenant: TestTenant; chargeId: string }> {
  const tenant = await tenantWithAutoTopup(rig);
  expect((await asKey(rig.purse, tenant.tenantKey, 'PUT', '/v1/billing/alerts', { lowBalance: '80' })).status).toBe(200);
  const checkout = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 100 });
  expect(checkout.status).toBe(200);
  const session = rig.sandbox.paySession(sessionIdOf(checkout.body.url), { card: '4242424242424242' });
  await rig.sandbox.webhooks.idle();
  const intent = latestEvent('payment_intent.succeeded', (o) => o.id === session.payment_intent).data.object as { latest_charge: string };
  expect((await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body).toMatchObject({ balance: 100, available: 100 });
  return { tenant, chargeId: intent.latest_charge };
}

async function walletOf(tenant: TestTenant) {
  return (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body;
}

describe(`clawbacks through the money seam, refunds (${testDatabaseKind()})`, () => {
  it('a refund crossing the low-balance alert sends exactly one wallet.low_balance (duplicates included) and starts no auto top-up', async () => {
    const { tenant, chargeId } = await tenantWithPaidTopup();
    rig.sandbox.refundCharge(chargeId);
    await rig.sandbox.webhooks.idle();
    // Stripe repeats itself: the same event again changes nothing.
    expect((await deliver(rig, JSON.stringify(latestEvent('charge.refunded', (o) => o.id === chargeId)))).status).toBe(200);
    expect(await walletOf(tenant)).toMatchObject({ balance: 0, available: 0 });
    expect(await eventsOf(rig, tenant, 'refund.clawed_back')).toHaveLength(1);
    expect(await eventsOf(rig, tenant, 'wallet.low_balance')).toEqual([{ currency: 'USD', balance: 0, held: 0, available: 0, lowBalance: 80 }]);
    expect(await eventsOf(rig, tenant, 'wallet.depleted')).toHaveLength(1);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
    await runAutoTopups(rig.purse.ctx);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
  });

  it('the trigger stays armed after a clawback: the tenant’s own next debit below the line starts auto top-up', async () => {
    const { tenant, chargeId } = await tenantWithPaidTopup();
    rig.sandbox.refundCharge(chargeId, 6000);
    await rig.sandbox.webhooks.idle();
    expect((await walletOf(tenant)).available).toBeLessThan(50);
    expect(await eventsOf(rig, tenant, 'wallet.low_balance')).toHaveLength(1);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
    expect((await debit(rig, tenant, 1)).status).toBe(201);
    expect(await attemptsOf(rig, tenant)).toEqual([expect.objectContaining({ state: 'pending', amount: 20 })]);
    expect(await eventsOf(rig, tenant, 'wallet.low_balance')).toHaveLength(1);
  });
});

describe(`clawbacks through the money seam, disputes (${testDatabaseKind()})`, () => {
  it('a dispute opened for the whole charge takes available to zero: one wallet.depleted, no auto top-up; lost, nothing more; balance follows', async () => {
    const { tenant, chargeId } = await tenantWithPaidTopup();
    const dispute = rig.sandbox.disputeCharge(chargeId);
    await rig.sandbox.webhooks.idle();
    expect(await walletOf(tenant)).toMatchObject({ balance: 100, held: 100, available: 0 });
    expect(await eventsOf(rig, tenant, 'dispute.opened')).toHaveLength(1);
    expect(await eventsOf(rig, tenant, 'wallet.depleted')).toEqual([{ currency: 'USD', balance: 100, held: 100, available: 0 }]);
    expect(await eventsOf(rig, tenant, 'wallet.low_balance')).toHaveLength(1);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
    rig.sandbox.closeDispute(dispute.id, 'lost');
    await rig.sandbox.webhooks.idle();
    expect(await walletOf(tenant)).toMatchObject({ balance: 0, held: 0, available: 0 });
    expect(await eventsOf(rig, tenant, 'dispute.closed')).toEqual([expect.objectContaining({ status: 'lost', transactionId: expect.stringMatching(/^txn_/) })]);
    expect(await eventsOf(rig, tenant, 'wallet.depleted')).toHaveLength(1);
    await runAutoTopups(rig.purse.ctx);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
  });

  it('a dispute won releases the hold and re-arms the alerts: the next fall sends them again', async () => {
    const { tenant, chargeId } = await tenantWithPaidTopup();
    const dispute = rig.sandbox.disputeCharge(chargeId);
    await rig.sandbox.webhooks.idle();
    rig.sandbox.closeDispute(dispute.id, 'won');
    await rig.sandbox.webhooks.idle();
    expect(await walletOf(tenant)).toMatchObject({ balance: 100, held: 0, available: 100 });
    expect(await eventsOf(rig, tenant, 'wallet.depleted')).toHaveLength(1);
    rig.sandbox.refundCharge(chargeId);
    await rig.sandbox.webhooks.idle();
    expect(await eventsOf(rig, tenant, 'wallet.depleted')).toHaveLength(2);
    expect(await eventsOf(rig, tenant, 'wallet.low_balance')).toHaveLength(2);
    expect(await attemptsOf(rig, tenant)).toEqual([]);
  });
});
