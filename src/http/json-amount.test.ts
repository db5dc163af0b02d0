import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, setupTenant, type TestTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';

/**
 * A JSON number is judged by the text the client wrote, not by the double JSON.parse makes of it:
 * `1e2` parses to 100 and `1.0000000000000001` to 1, yet as strings both are refused.
 */
let purse: TestPurse;
let tenant: TestTenant;
let holdId: string;
beforeAll(async () => {
  purse = await startTestPurse();
  tenant = await setupTenant(purse, 'BRL');
  await fundWallet(purse, tenant.tenantId, 100);
  const hold = await call(purse, 'POST', '/v1/billing/holds', { body: { amount: 10 }, headers: { 'x-api-key': tenant.tenantKey } });
  expect(hold.status).toBe(201);
  holdId = hold.body.id;
});
afterAll(() => purse.close());

const tenantAuth = () => ({ 'x-api-key': tenant.tenantKey });
const adminAuth = () => ({ authorization: `Bearer ${TEST_SECRETS.adminKey}` });

type Route = [label: string, url: () => string, headers: () => Record<string, string>, body: (amount: string) => string];
let keyCounter = 0;
const ROUTES: Route[] = [
  ['checkout', () => '/v1/billing/checkout', tenantAuth, (a) => `{"purpose":"wallet_topup","amount":${a}}`],
  ['usage', () => '/v1/billing/usage', () => ({ ...tenantAuth(), 'idempotency-key': `json-amount-${(keyCounter += 1)}` }), (a) => `{"amount":${a}}`],
  ['hold', () => '/v1/billing/holds', tenantAuth, (a) => `{"amount":${a}}`],
  ['hold capture', () => `/v1/billing/holds/${holdId}/capture`, tenantAuth, (a) => `{"amount":${a}}`],
  ['admin adjustment', () => `/v1/admin/tenants/${tenant.tenantId}/adjustments`, adminAuth, (a) => `{"amount":${a},"reason":"test"}`],
];
const BAD_NUMBERS = ['1e2', '1E2', '1.5e1', '1.0000000000000001', '5.00000000000000000001', '5.001', '100000000000000000000000', '-0'];

describe('JSON-number amounts are read from the text the client sent', () => {
  for (const [label, url, headers, body] of ROUTES) {
    it.each(BAD_NUMBERS)(`${label}: refuses %s with 400 AMOUNT_INVALID, like its string form`, async (amount) => {
      const asNumber = await call(purse, 'POST', url(), { rawBody: body(amount), headers: headers() });
      const asString = await call(purse, 'POST', url(), { rawBody: body(JSON.stringify(amount)), headers: headers() });
      expect(asString.body.code).toBe('AMOUNT_INVALID');
      expect(asNumber.status).toBe(400);
      expect(asNumber.body.code).toBe('AMOUNT_INVALID');
    });
  }

  it('still takes a plain number, with the last duplicate key winning as in JSON.parse', async () => {
    const res = await call(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, {
      rawBody: '{"amount":1e2,"reason":"dup","amount":5.10}', headers: adminAuth(),
    });
    expect(res.status).toBe(201);
    expect(res.body.transaction.amount).toBe(5.1);
  });

  it('judges an escaped key spelling the same field', async () => {
    const res = await call(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, {
      rawBody: '{"\\u0061mount":1e2,"reason":"escaped"}', headers: adminAuth(),
    });
    expect(res.body.code).toBe('AMOUNT_INVALID');
  });

  it('keeps a plain negative number for an adjustment', async () => {
    const res = await call(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, {
      rawBody: '{"reason":"nested","reference":"n-1","amount":-2.5}', headers: adminAuth(),
    });
    expect(res.status).toBe(201);
    expect(res.body.transaction.amount).toBe(-2.5);
  });
});
