import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';

/**
 * Issue 19: a wallet's own amounts are at the currency's own exponent — three decimals for BHD, JOD, KWD, OMR
 * and TND, single fils — while what is charged at Stripe keeps Stripe's step of 10 (checkout, auto top-up).
 */
let purse: TestPurse;
let n = 0;
beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' });
});
afterAll(async () => {
  try {
    await expectLedgerSound(purse);
  } finally {
    await purse?.close();
  }
});

function post(tenant: TestTenant, path: string, body: unknown) {
  n += 1;
  return asKey(purse, tenant.tenantKey, 'POST', path, body, { 'idempotency-key': `fils-${n}` });
}

async function balanceMinor(tenant: TestTenant): Promise<{ balance: number; held: number }> {
  const w = (await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body as { balance: number; held: number };
  return { balance: Math.round(w.balance * 1000), held: Math.round(w.held * 1000) };
}

describe(`three-decimal currencies (${testDatabaseKind()})`, () => {
  it.each(['KWD', 'BHD', 'JOD', 'OMR', 'TND'])('%s: debits, holds, captures and adjustments move single fils, exactly', async (currency) => {
    const tenant = await setupTenant(purse, currency);
    await fundWallet(purse, tenant.tenantId, '10.001');
    expect(await balanceMinor(tenant)).toEqual({ balance: 10_001, held: 0 });
    const usage = await post(tenant, '/v1/billing/usage', { amount: '0.001' });
    expect(usage.status).toBe(201);
    expect((await post(tenant, '/v1/billing/usage', { amount: 1.005 })).status).toBe(201);
    const hold = await post(tenant, '/v1/billing/holds', { amount: '0.123', expiresInSeconds: 600 });
    expect(hold.status).toBe(201);
    expect(await balanceMinor(tenant)).toEqual({ balance: 8_995, held: 123 });
    const captured = await post(tenant, `/v1/billing/holds/${hold.body.hold.id}/capture`, { amount: '0.007' });
    expect(captured.status).toBe(200);
    expect(await balanceMinor(tenant)).toEqual({ balance: 8_988, held: 0 });
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '-0.009', reason: 'fils' })).status).toBe(201);
    expect((await asKey(purse, tenant.tenantKey, 'PUT', '/v1/billing/alerts', { lowBalance: '2.345' })).body).toEqual({ lowBalance: 2.345 });
    expect(await balanceMinor(tenant)).toEqual({ balance: 8_979, held: 0 });
  });

  it.each([
    ['a fourth decimal', '0.0001', 'KWD allows at most 3 decimal places'],
    ['an exponent', '1e-3', 'must be a plain decimal in major units, e.g. "1.25" or 3'],
  ])('refuses %s in a KWD debit with 400 AMOUNT_INVALID, nothing written', async (_name, amount, message) => {
    const tenant = await setupTenant(purse, 'KWD');
    await fundWallet(purse, tenant.tenantId, 1);
    const res = await post(tenant, '/v1/billing/usage', { amount });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'AMOUNT_INVALID', details: [{ field: 'amount', message }] });
    expect(await balanceMinor(tenant)).toEqual({ balance: 1_000, held: 0 });
  });

  it('still charges Stripe only in its steps: a 5.005 KWD top-up is refused, saying why', async () => {
    const tenant = await setupTenant(purse, 'KWD');
    const res = await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: '5.005' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'AMOUNT_INVALID', details: [{ field: 'amount', message: 'is charged at Stripe, which takes KWD in steps of 0.01' }] });
  });

  it('takes a fils-precise auto top-up threshold and target balance, and a charge amount only on the charge step', async () => {
    const tenant = await setupTenant(purse, 'KWD');
    const off = { enabled: false, threshold: '1.005', targetBalance: '7.777' };
    expect((await asKey(purse, tenant.tenantKey, 'PUT', '/v1/billing/auto-topup', off)).body).toMatchObject({ threshold: 1.005, targetBalance: 7.777 });
    const offStep = await asKey(purse, tenant.tenantKey, 'PUT', '/v1/billing/auto-topup', { enabled: false, threshold: '1', amount: '5.005' });
    expect(offStep.status).toBe(400);
    expect(offStep.body).toMatchObject({ code: 'AMOUNT_INVALID', details: [{ field: 'amount' }] });
  });
});
