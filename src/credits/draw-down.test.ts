import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import { grantCredit } from './grant-credit.ts';

let purse: TestPurse;
let counter = 0;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' });
});

afterAll(async () => {
  await purse?.close();
});

function debit(tenant: TestTenant, amount: string) {
  counter += 1;
  return asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': `draw-${counter}` });
}

async function remainingByBlock(tenantId: string): Promise<Record<string, string>> {
  const rows = await purse.ctx.store.db.selectFrom("credit_blocks").select(["id", "remaining_minor", "reason"]).where('tenant_id', '=', tenantId).execute();
  return Object.fromEntries(rows.map((r) => [r.id.startsWith('cb_deficit_') ? 'deficit' : r.reason ?? r.id, String(r.remaining_minor)]));
}

async function drawsOf(transactionId: string): Promise<Array<[string, string]>> {
  const rows = await purse.ctx.store.db.selectFrom('credit_block_postings as p').innerJoin('credit_blocks as b', 'b.id', 'p.block_id')
    .select(['b.reason', 'p.amount_minor']).where('p.transaction_id', '=', transactionId).orderBy('p.amount_minor').execute();
  return rows.map((r) => [r.reason ?? '', String(r.amount_minor)]);
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('draw-down order', () => {
  const cases: Array<{ name: string; grants: Array<{ reason: string; amount: string; priority?: number; inDays?: number }>; debit: string; expected: Record<string, string> }> = [
    { name: 'lowest priority first', grants: [{ reason: 'p20', amount: '5', priority: 20 }, { reason: 'p5', amount: '5', priority: 5 }], debit: '6', expected: { p5: '0', p20: '400' } },
    { name: 'same priority: earliest expiry first', grants: [{ reason: 'late', amount: '5', inDays: 20 }, { reason: 'soon', amount: '5', inDays: 2 }], debit: '3', expected: { soon: '200', late: '500' } },
    { name: 'same priority: an expiry before none', grants: [{ reason: 'never', amount: '5' }, { reason: 'expiring', amount: '5', inDays: 30 }], debit: '7', expected: { expiring: '0', never: '300' } },
    { name: 'full tie: the oldest first', grants: [{ reason: 'first', amount: '5' }, { reason: 'second', amount: '5' }], debit: '5.01', expected: { first: '0', second: '499' } },
    { name: 'promotional (10) before the funded adjustment (50)', grants: [{ reason: 'promo', amount: '1' }], debit: '2', expected: { promo: '0', 'test funding': '900' } },
  ];
  for (const c of cases) {
    it(`${c.name}: the debit leaves ${JSON.stringify(c.expected)}`, async () => {
      const tenant = await setupTenant(purse);
      if (c.name.startsWith('promotional')) await fundWallet(purse, tenant.tenantId, 10);
      for (const g of c.grants) {
        await grantCredit(purse.ctx, tenant.tenantId, {
          amount: g.amount, reason: g.reason, ...(g.priority === undefined ? {} : { priority: g.priority }),
          ...(g.inDays === undefined ? {} : { expiresAt: iso(purse.ctx.nowMs() + g.inDays * DAY_MS) }),
        });
      }
      const res = await debit(tenant, c.debit);
      expect(res.status).toBe(201);
      expect(await remainingByBlock(tenant.tenantId)).toEqual(c.expected);
      const draws = await drawsOf(res.body.transaction.id);
      expect(draws.reduce((sum, [, amount]) => sum + BigInt(amount), 0n)).toBe(-BigInt(Math.round(Number(c.debit) * 100)));
    });
  }

  it('a debit never draws from a block past its expiry: the rest cannot cover it, so 402 and nothing moves', async () => {
    const tenant = await setupTenant(purse);
    await grantCredit(purse.ctx, tenant.tenantId, { amount: '5', reason: 'short-lived', expiresAt: iso(purse.ctx.nowMs() + 1_000) });
    await grantCredit(purse.ctx, tenant.tenantId, { amount: '2', reason: 'lasting' });
    const realNow = purse.ctx.nowMs;
    const later = realNow() + 2_000;
    purse.ctx.nowMs = () => later;
    try {
      expect((await debit(tenant, '3')).status).toBe(402);
      expect(await remainingByBlock(tenant.tenantId)).toEqual({ 'short-lived': '500', lasting: '200' });
      const ok = await debit(tenant, '2');
      expect(ok.status).toBe(201);
      expect(await remainingByBlock(tenant.tenantId)).toEqual({ 'short-lived': '500', lasting: '0' });
    } finally {
      purse.ctx.nowMs = realNow;
    }
  });

  it('an overdraft (allowed negative adjustment) leaves a deficit block; the next credit pays it back first', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 1);
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '-3', reason: 'overdraw', allowNegative: true })).status).toBe(201);
    expect(await remainingByBlock(tenant.tenantId)).toEqual({ 'test funding': '0', deficit: '-200' });
    await grantCredit(purse.ctx, tenant.tenantId, { amount: '5', reason: 'after' });
    const rows = await purse.ctx.store.db.selectFrom('credit_blocks').select(['category', 'remaining_minor']).where('tenant_id', '=', tenant.tenantId).execute();
    expect(rows.map((r) => [r.category, String(r.remaining_minor)]).sort()).toEqual([['adjustment', '0'], ['deficit', '0'], ['promotional', '300']]);
  });

  it('the ledger stays sound, blocks summing to every balance', async () => {
    await expectLedgerSound(purse);
  });
});
