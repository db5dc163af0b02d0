import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';

/** GET /v1/billing/transactions.csv (issue 22): RFC 4180, header row, filters, number keys, streamed. */
let purse: TestPurse;
let tenant: TestTenant;
let other: TestTenant;
let numberReader: string;
beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' });
  tenant = await setupTenant(purse);
  other = await setupTenant(purse);
  const key = await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/keys`, { scope: 'number', numberId: tenant.numberId, permissions: ['billing:read'] });
  expect(key.status).toBe(201);
  numberReader = key.body.secret;
  await fundWallet(purse, tenant.tenantId, 100);
  await fundWallet(purse, other.tenantId, 100);
  const debit = (key: string, amount: string, description: string, idem: string) =>
    asKey(purse, key, 'POST', '/v1/billing/usage', { amount, description }, { 'idempotency-key': idem });
  expect((await debit(tenant.tenantKey, '1.50', 'plain call', 'csv-1')).status).toBe(201);
  expect((await debit(tenant.numberKey, '2.25', 'says "hi", then, more', 'csv-2')).status).toBe(201);
  expect((await debit(tenant.tenantKey, '0.05', '=HYPERLINK("x")', 'csv-3')).status).toBe(201);
  expect((await debit(other.tenantKey, '9.99', 'other tenant', 'csv-4')).status).toBe(201);
});
afterAll(async () => {
  try {
    await expectLedgerSound(purse);
  } finally {
    await purse.close();
  }
});

async function exportCsv(key: string, query = ''): Promise<{ status: number; type: string; rows: string[]; body: string }> {
  const res = await purse.app.inject({ method: 'GET', url: `/v1/billing/transactions.csv${query}`, headers: { 'x-api-key': key } });
  return { status: res.statusCode, type: String(res.headers['content-type']), rows: res.body.split('\r\n').filter((r) => r !== ''), body: res.body };
}

describe('GET /v1/billing/transactions.csv', () => {
  it('streams the tenant\'s whole history oldest first, CRLF records, quoted and defused text, fixed decimals', async () => {
    const csv = await exportCsv(tenant.tenantKey);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.body.endsWith('\r\n')).toBe(true);
    expect(csv.rows[0]).toBe('createdAt,id,kind,numberId,description,amount,balanceAfter,currency');
    const body = csv.rows.slice(1).map((r) => r.replace(/^[^,]+,txn_[0-9A-Z]+,/, ''));
    expect(body).toEqual([
      'adjustment,,test funding,100.00,100.00,BRL',
      'usage,,plain call,-1.50,98.50,BRL',
      `usage,${tenant.numberId},"says ""hi"", then, more",-2.25,96.25,BRL`,
      'usage,,"\'=HYPERLINK(""x"")",-0.05,96.20,BRL',
    ]);
    // Times to the millisecond, exactly as the JSON history gives them.
    const history = (await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/transactions')).body.data as Array<{ id: string; createdAt: string }>;
    const times = new Map(csv.rows.slice(1).map((r) => [r.split(',')[1], r.split(',')[0]]));
    expect(history.map((t) => times.get(t.id))).toEqual(history.map((t) => t.createdAt));
  });

  it('filters by kind, number and dates', async () => {
    expect((await exportCsv(tenant.tenantKey, '?kind=adjustment')).rows).toHaveLength(2);
    expect((await exportCsv(tenant.tenantKey, `?numberId=${tenant.numberId}`)).rows.slice(1).map((r) => r.split(',')[3])).toEqual([tenant.numberId]);
    const today = new Date(purse.ctx.nowMs()).toISOString().slice(0, 10);
    expect((await exportCsv(tenant.tenantKey, `?from=${today}&to=${today}`)).rows).toHaveLength(5);
    expect((await exportCsv(tenant.tenantKey, '?to=2000-01-01')).rows).toHaveLength(1);
  });

  it('a number key exports only its number and is refused another number\'s export', async () => {
    const own = await exportCsv(numberReader);
    expect(own.status).toBe(200);
    expect(own.rows.slice(1).map((r) => r.split(',')[3])).toEqual([tenant.numberId]);
    const foreign = await asKey(purse, numberReader, 'GET', `/v1/billing/transactions.csv?numberId=${other.numberId}`);
    expect([foreign.status, foreign.body.code]).toEqual([403, 'NUMBER_SCOPE_NOT_ALLOWED']);
  });

  it('another tenant\'s rows never appear, even naming its number', async () => {
    const csv = await exportCsv(tenant.tenantKey, `?numberId=${other.numberId}`);
    expect(csv.rows).toEqual(['createdAt,id,kind,numberId,description,amount,balanceAfter,currency']);
    expect((await exportCsv(tenant.tenantKey)).body).not.toContain('other tenant');
  });

  it.each([['?from=yesterday'], ['?to=2026-13-45'], ['?from=2026-02-01&to=2026-01-01'], ['?kind=DROP%20TABLE'], ['?numberId=x%27--'], ['?bogus=1']])('refuses %s with a 400', async (query) => {
    const res = await asKey(purse, tenant.tenantKey, 'GET', `/v1/billing/transactions.csv${query}`);
    expect(res.status).toBe(400);
  });
});
