import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, call, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { recordTransaction } from '../testing/record-transaction.ts';

let purse: TestPurse;
let acme: TestTenant;
let stranger: TestTenant;

beforeAll(async () => {
  purse = await startTestPurse();
  acme = await setupTenant(purse);
  stranger = await setupTenant(purse);
  for (const amount of [1, 2, 3, 4, 5]) await fundWallet(purse, acme.tenantId, amount);
});

afterAll(async () => {
  await purse?.close();
});

function list(tenant: TestTenant, query = '') {
  return asKey(purse, tenant.tenantKey, 'GET', `/v1/billing/transactions${query}`);
}

function cursorOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

describe('GET /v1/billing/transactions — paging', () => {
  it('lists the newest first, page by page, until nextCursor is null', async () => {
    const amounts: number[] = [];
    let query = '?limit=2';
    const pageSizes: number[] = [];
    for (;;) {
      const res = await list(acme, query);
      expect(res.status).toBe(200);
      pageSizes.push(res.body.data.length);
      amounts.push(...res.body.data.map((t: { amount: number }) => t.amount));
      if (res.body.nextCursor === null) break;
      query = `?limit=2&cursor=${res.body.nextCursor}`;
    }
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(amounts).toEqual([5, 4, 3, 2, 1]);
  });

  it('keeps a page sequence stable when new transactions arrive in between', async () => {
    const tenant = await setupTenant(purse);
    for (const amount of [1, 2, 3]) await fundWallet(purse, tenant.tenantId, amount);
    const first = await list(tenant, '?limit=2');
    await fundWallet(purse, tenant.tenantId, 9);
    const second = await list(tenant, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(first.body.data.map((t: { amount: number }) => t.amount)).toEqual([3, 2]);
    expect(second.body).toMatchObject({ data: [{ amount: 1 }], nextCursor: null });
  });
});

describe('GET /v1/billing/transactions — what a transaction shows, and the page size', () => {
  it('describes each transaction with signed major amounts, balance after, number and metadata', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, '10.5');
    const { transaction } = await recordTransaction(purse.ctx, {
      reference: `usage:${tenant.tenantId}:shape`,
      kind: 'usage',
      tenantId: tenant.tenantId,
      numberId: tenant.numberId,
      currency: 'BRL',
      description: '3 SMS',
      metadata: { channel: 'sms' },
      postings: [
        { accountId: walletAccountId(tenant.tenantId), amountMinor: -275n },
        { accountId: systemAccountId('usage_revenue', 'BRL'), amountMinor: 275n },
      ],
      overdraft: 'forbid',
    });
    const res = await list(tenant);
    expect(res.body.data[0]).toEqual({
      id: transaction.id,
      reference: `usage:${tenant.tenantId}:shape`,
      kind: 'usage',
      amount: -2.75,
      balanceAfter: 7.75,
      currency: 'BRL',
      description: '3 SMS',
      numberId: tenant.numberId,
      metadata: { channel: 'sms' },
      createdAt: new Date(transaction.createdAtMs).toISOString(),
    });
    expect(res.body.data[1]).toMatchObject({ kind: 'adjustment', amount: 10.5, balanceAfter: 10.5, numberId: null, metadata: null });
  });

  it('answers 50 transactions by default and at most 200', async () => {
    const tenant = await setupTenant(purse);
    await Promise.all(Array.from({ length: 51 }, () => fundWallet(purse, tenant.tenantId, '0.01')));
    const byDefault = await list(tenant);
    expect(byDefault.body.data).toHaveLength(50);
    expect(byDefault.body.nextCursor).not.toBeNull();
    const all = await list(tenant, '?limit=200');
    expect(all.body).toMatchObject({ nextCursor: null });
    expect(all.body.data).toHaveLength(51);
  });
});

describe('GET /v1/billing/transactions — query validation', () => {
  it.each([['0'], ['201'], ['-1'], ['abc'], ['1.5'], [''], ['99999999']])('refuses limit=%s with 400 VALIDATION_ERROR', async (limit) => {
    const res = await list(acme, `?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it.each([['1'], ['200']])('accepts limit=%s', async (limit) => {
    expect((await list(acme, `?limit=${limit}`)).status).toBe(200);
  });

  it.each([
    ['not base64url', 'abc!'],
    ['not a number', cursorOf('foo')],
    ['zero', cursorOf('0')],
    ['a leading zero', cursorOf('01')],
    ['negative', cursorOf('-1')],
    ['padded', `${cursorOf('12')}=`],
    ['too large', cursorOf('99999999999999999999')],
    ['empty', ''],
  ])('refuses a cursor that is %s with 400 CURSOR_INVALID', async (_name, cursor) => {
    const res = await list(acme, `?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'Validation error', code: 'CURSOR_INVALID', details: [{ field: 'cursor' }] });
  });

  it('refuses an unknown query parameter', async () => {
    expect((await list(acme, '?offset=10')).status).toBe(400);
  });
});

describe('GET /v1/billing/transactions — who may read', () => {
  it("never shows another tenant's transactions, even with that tenant's cursor", async () => {
    const own = await list(stranger);
    expect(own.body).toEqual({ data: [], nextCursor: null });
    const acmePage = await list(acme, '?limit=1');
    const withForeignCursor = await list(stranger, `?cursor=${acmePage.body.nextCursor}`);
    expect(withForeignCursor.body).toEqual({ data: [], nextCursor: null });
  });

  it('answers 403 NUMBER_SCOPE_NOT_ALLOWED to a number-scoped key', async () => {
    const res = await asKey(purse, acme.numberKey, 'GET', '/v1/billing/transactions');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'NUMBER_SCOPE_NOT_ALLOWED' });
  });

  it('answers 403 INSUFFICIENT_SCOPE to a key without billing:read', async () => {
    const key = await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/keys`, { scope: 'tenant', permissions: ['usage:write'] });
    const res = await asKey(purse, key.body.secret, 'GET', '/v1/billing/transactions');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('answers 401 without a key', async () => {
    const res = await call(purse, 'GET', '/v1/billing/transactions');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Unauthorized', code: 'UNAUTHORIZED' });
  });
});
