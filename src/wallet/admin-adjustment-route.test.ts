import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, call, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';

let purse: TestPurse;
let acme: TestTenant;

beforeAll(async () => {
  purse = await startTestPurse();
  acme = await setupTenant(purse);
});

afterAll(async () => {
  await purse?.close();
});

function adjust(tenantId: string, body: unknown) {
  return admin(purse, 'POST', `/v1/admin/tenants/${tenantId}/adjustments`, body);
}

async function walletOf(tenant: TestTenant) {
  // The balances only; the auto top-up summary beside them is tested in auto-topup/.
  const { autoTopup: _autoTopup, expiring: _expiring, ...balances } = (await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body;
  return balances;
}

describe('POST /v1/admin/tenants/{tenantId}/adjustments — moving money', () => {
  it('credits the wallet and answers 201 with the transaction and the wallet after it', async () => {
    const tenant = await setupTenant(purse);
    const res = await adjust(tenant.tenantId, { amount: '12.34', reason: 'goodwill credit' });
    expect(res.status).toBe(201);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 12.34, held: 0, available: 12.34 });
    expect(res.body.transaction).toMatchObject({ kind: 'adjustment', amount: 12.34, balanceAfter: 12.34, currency: 'BRL', description: 'goodwill credit' });
    const history = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/transactions');
    expect(history.body.data).toEqual([res.body.transaction]);
  });

  it('takes money out with a negative amount', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const res = await adjust(tenant.tenantId, { amount: -2.5, reason: 'correction' });
    expect(res.status).toBe(201);
    expect(res.body.transaction).toMatchObject({ amount: -2.5, balanceAfter: 7.5 });
    expect((await walletOf(tenant)).balance).toBe(7.5);
  });

  it('refuses a negative adjustment that would overdraw with 402 and moves nothing', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 1);
    const res = await adjust(tenant.tenantId, { amount: '-1.01', reason: 'too much' });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({ error: 'Insufficient funds', code: 'INSUFFICIENT_FUNDS' });
    expect((await walletOf(tenant)).balance).toBe(1);
  });

  it('lets a negative adjustment overdraw when allowNegative is true', async () => {
    const tenant = await setupTenant(purse);
    const res = await adjust(tenant.tenantId, { amount: '-3', reason: 'chargeback fee', allowNegative: true });
    expect(res.status).toBe(201);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: -3, held: 0, available: -3 });
  });
});

describe('POST /v1/admin/tenants/{tenantId}/adjustments — references', () => {
  it('answers the first result with 200 when the same reference comes again, moving money once', async () => {
    const tenant = await setupTenant(purse);
    const body = { amount: 5, reason: 'promo', reference: 'promo-2024' };
    const first = await adjust(tenant.tenantId, body);
    const again = await adjust(tenant.tenantId, body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await walletOf(tenant)).balance).toBe(5);
  });

  it('moves money once for 50 concurrent requests with one reference', async () => {
    const tenant = await setupTenant(purse);
    const body = { amount: '1.5', reason: 'concurrent', reference: 'same' };
    const results = await Promise.all(Array.from({ length: 50 }, () => adjust(tenant.tenantId, body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(results.map((r) => r.body.transaction.id)).size).toBe(1);
    expect((await walletOf(tenant)).balance).toBe(1.5);
  });

  it('keeps references per tenant: the same reference on two tenants adjusts both', async () => {
    const [a, b] = [await setupTenant(purse), await setupTenant(purse)];
    expect((await adjust(a.tenantId, { amount: 1, reason: 'x', reference: 'r1' })).status).toBe(201);
    expect((await adjust(b.tenantId, { amount: 1, reason: 'x', reference: 'r1' })).status).toBe(201);
  });

  it('answers 409 CONFLICT when a reference is reused for a different adjustment', async () => {
    await adjust(acme.tenantId, { amount: 1, reason: 'first', reference: 'reused' });
    const res = await adjust(acme.tenantId, { amount: 2, reason: 'first', reference: 'reused' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT', details: [{ field: 'reference' }] });
  });
});

describe('POST /v1/admin/tenants/{tenantId}/adjustments — refusals', () => {
  it.each([
    ['zero', 0, 'AMOUNT_INVALID'],
    ['minus zero', '-0', 'AMOUNT_INVALID'],
    ['too many decimals', '1.001', 'AMOUNT_INVALID'],
    ['an exponent', '1e3', 'AMOUNT_INVALID'],
    ['a plus sign', '+5', 'AMOUNT_INVALID'],
    ['a double minus', '--5', 'AMOUNT_INVALID'],
    ['a thousands separator', '1,000', 'AMOUNT_INVALID'],
    ['an empty string', '', 'AMOUNT_INVALID'],
    ['a boolean', true, 'AMOUNT_INVALID'],
    ['an object', { value: 1 }, 'AMOUNT_INVALID'],
    ['too large', '100000000001', 'AMOUNT_INVALID'],
    ['missing', undefined, 'AMOUNT_REQUIRED'],
  ])('refuses an amount that is %s with 400 %s', async (_name, amount, code) => {
    const res = await adjust(acme.tenantId, { amount, reason: 'bad amount' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'Validation error', code, details: [{ field: 'amount', code }] });
  });

  it.each([
    ['a missing reason', { amount: 1 }],
    ['an empty reason', { amount: 1, reason: '' }],
    ['a blank reason', { amount: 1, reason: '   ' }],
    ['a reason over 500 characters', { amount: 1, reason: 'x'.repeat(501) }],
    ['an unknown field', { amount: 1, reason: 'ok', note: 'x' }],
    ['a non-boolean allowNegative', { amount: 1, reason: 'ok', allowNegative: 'yes' }],
    ['an empty reference', { amount: 1, reason: 'ok', reference: '' }],
  ])('refuses %s with 400 VALIDATION_ERROR', async (_name, body) => {
    const res = await adjust(acme.tenantId, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it('answers 404 for an unknown tenant', async () => {
    const res = await adjust('ten_UNKNOWN', { amount: 1, reason: 'x' });
    expect(res.status).toBe(404);
  });

  it('answers 401 without the admin key, and to a tenant key', async () => {
    const url = `/v1/admin/tenants/${acme.tenantId}/adjustments`;
    expect((await call(purse, 'POST', url, { body: { amount: 1, reason: 'x' } })).status).toBe(401);
    expect((await asKey(purse, acme.tenantKey, 'POST', url, { amount: 1, reason: 'x' })).status).toBe(401);
  });
});
