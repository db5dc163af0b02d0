import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';

let purse: TestPurse;
let acme: TestTenant;
let stranger: TestTenant;
let fundingBlock: string;
let promoBlock: string;

beforeAll(async () => {
  purse = await startTestPurse();
  acme = await setupTenant(purse);
  stranger = await setupTenant(purse);
  await fundWallet(purse, acme.tenantId, '10.00');
  await fundWallet(purse, stranger.tenantId, '10.00');
  const grant = await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/credits`, { amount: '3.00', reason: 'welcome' });
  promoBlock = grant.body.id;
  const blocks = await asKey(purse, acme.tenantKey, 'GET', '/v1/billing/credits');
  fundingBlock = blocks.body.data.find((b: { category: string }) => b.category === 'adjustment').id;
});

afterAll(async () => {
  await purse?.close();
});

const read = (tenant: TestTenant, id: string) => asKey(purse, tenant.tenantKey, 'GET', `/v1/billing/transactions/${id}`);
const debit = (tenant: TestTenant, amount: string, key: string) => asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': key });

describe('GET /v1/billing/transactions/{id}', () => {
  it('a debit names each block it drew from, in draw-down order, the amounts summing to its own', async () => {
    const spent = await debit(acme, '4.50', 'span-two-blocks');
    expect(spent.status).toBe(201);
    const res = await read(acme, spent.body.transaction.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: spent.body.transaction.id, kind: 'usage', amount: -4.5, currency: 'BRL' });
    expect(res.body.blocks).toEqual([{ id: promoBlock, amount: -3 }, { id: fundingBlock, amount: -1.5 }]);
  });

  it('a debit inside one block names that block alone; a grant names the block it created', async () => {
    const spent = await debit(acme, '0.25', 'one-block');
    expect((await read(acme, spent.body.transaction.id)).body.blocks).toEqual([{ id: fundingBlock, amount: -0.25 }]);
    const grant = await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/credits`, { amount: '1.00', reason: 'goodwill' });
    const history = await asKey(purse, acme.tenantKey, 'GET', '/v1/billing/transactions?limit=1');
    const granted = await read(acme, history.body.data[0].id);
    expect(granted.body).toMatchObject({ amount: 1, blocks: [{ id: grant.body.id, amount: 1 }] });
  });

  it('another tenant\'s transaction and an unknown id are both 404, and neither shows any block', async () => {
    const theirs = await debit(stranger, '1.00', 'theirs');
    expect(theirs.status).toBe(201);
    const peek = await read(acme, theirs.body.transaction.id);
    expect([peek.status, peek.body.code, peek.body.blocks]).toEqual([404, 'NOT_FOUND', undefined]);
    expect((await read(acme, 'txn_nope')).status).toBe(404);
    expect((await read(stranger, theirs.body.transaction.id)).body.blocks).toHaveLength(1);
  });

  it('a number-scoped key may not read transactions (403), as the list', async () => {
    const spent = await debit(acme, '0.01', 'number-key');
    const res = await asKey(purse, acme.numberKey, 'GET', `/v1/billing/transactions/${spent.body.transaction.id}`);
    expect(res.status).toBe(403);
  });
});
