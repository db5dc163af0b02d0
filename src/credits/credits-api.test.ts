import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { expireCreditBlocks } from './end-credit-block.ts';

let purse: TestPurse;
let tenant: TestTenant;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' });
  tenant = await setupTenant(purse);
});

afterAll(async () => {
  await purse?.close();
});

const grant = (tenantId: string, body: Record<string, unknown>) => admin(purse, 'POST', `/v1/admin/tenants/${tenantId}/credits`, body);
const inDays = (days: number) => new Date(purse.ctx.nowMs() + days * DAY_MS).toISOString();
const blockCount = async () => (await purse.ctx.store.db.selectFrom('credit_blocks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

describe('POST /v1/admin/tenants/{id}/credits', () => {
  it('grants a promotional block that the tenant lists, and a retry with the same reference returns the same block', async () => {
    const first = await grant(tenant.tenantId, { amount: '10.00', reason: 'welcome', expiresAt: inDays(30), reference: 'welcome-1' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ category: 'promotional', amount: 10, remaining: 10, priority: 10, costBasis: 0, status: 'active', source: { reason: 'welcome' } });
    const again = await grant(tenant.tenantId, { amount: '10.00', reason: 'welcome', expiresAt: first.body.expiresAt, reference: 'welcome-1' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await grant(tenant.tenantId, { amount: '11.00', reason: 'welcome', reference: 'welcome-1' })).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const listed = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/credits?status=active');
    expect(listed.body.data.map((b: { id: string }) => b.id)).toEqual([first.body.id]);
  });

  const bad: Array<[string, Record<string, unknown>, number, string]> = [
    ['zero', { amount: '0', reason: 'x' }, 400, 'AMOUNT_INVALID'],
    ['negative', { amount: '-5', reason: 'x' }, 400, 'AMOUNT_INVALID'],
    ['more decimals than the currency', { amount: '1.001', reason: 'x' }, 400, 'AMOUNT_INVALID'],
    ['expiresAt in the past', { amount: '1', reason: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 400, 'EXPIRES_AT_INVALID'],
    ['expiresAt not a date', { amount: '1', reason: 'x', expiresAt: 'tomorrow' }, 400, 'EXPIRES_AT_INVALID'],
    ['priority of an unknown type', { amount: '1', reason: 'x', priority: 'high' }, 400, 'PRIORITY_INVALID'],
    ['priority negative', { amount: '1', reason: 'x', priority: -1 }, 400, 'PRIORITY_INVALID'],
    ['an unknown category', { amount: '1', reason: 'x', category: 'gift' }, 400, 'VALIDATION_ERROR'],
  ];
  it.each(bad)('refuses a grant with %s (4xx with a code, nothing written)', async (_name, body, status, code) => {
    const before = await blockCount();
    const res = await grant(tenant.tenantId, body);
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect(await blockCount()).toBe(before);
  });

  it('a tenant never sees, and an unknown id never voids, another tenant\'s block', async () => {
    const other = await setupTenant(purse);
    const theirs = await grant(other.tenantId, { amount: '2', reason: 'theirs' });
    const mine = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/credits');
    expect(mine.body.data.map((b: { id: string }) => b.id)).not.toContain(theirs.body.id);
    expect((await admin(purse, 'POST', '/v1/admin/credits/cb_nope/void', { reason: 'x' })).status).toBe(404);
    expect((await grant('ten_nope', { amount: '1', reason: 'x' })).status).toBe(404);
  });
});

describe('credit block void and expiry', () => {
  it('a void takes the remainder out in one transaction; voiding it again answers the voided block; an expired one is refused 409', async () => {
    const t = await setupTenant(purse);
    const block = await grant(t.tenantId, { amount: '4', reason: 'oops' });
    const res = await admin(purse, 'POST', `/v1/admin/credits/${block.body.id}/void`, { reason: 'granted by mistake' });
    expect([res.status, res.body.status, res.body.remaining]).toEqual([200, 'voided', 0]);
    expect((await asKey(purse, t.tenantKey, 'GET', '/v1/billing/wallet')).body.balance).toBe(0);
    expect((await admin(purse, 'POST', `/v1/admin/credits/${block.body.id}/void`, { reason: 'again' })).status).toBe(200);
    const other = await grant(t.tenantId, { amount: '1', reason: 'second', expiresAt: inDays(1) });
    const realNow = purse.ctx.nowMs;
    purse.ctx.nowMs = () => realNow() + 2 * DAY_MS;
    try {
      expect(await expireCreditBlocks(purse.ctx)).toBe(1);
    } finally {
      purse.ctx.nowMs = realNow;
    }
    expect((await admin(purse, 'POST', `/v1/admin/credits/${other.body.id}/void`, { reason: 'late' })).body.code).toBe('CREDIT_BLOCK_NOT_ACTIVE');
  });

  it('expiry never takes an amount an active hold reserves; once the hold ends the block expires, exactly once', async () => {
    const t = await setupTenant(purse);
    const block = await grant(t.tenantId, { amount: '5', reason: 'short', expiresAt: new Date(purse.ctx.nowMs() + 60_000).toISOString() });
    const hold = await asKey(purse, t.tenantKey, 'POST', '/v1/billing/holds', { amount: '3' }, { 'idempotency-key': 'h-1' });
    expect(hold.status).toBe(201);
    const realNow = purse.ctx.nowMs;
    purse.ctx.nowMs = () => realNow() + 120_000;
    try {
      expect(await expireCreditBlocks(purse.ctx)).toBe(0);
      expect((await asKey(purse, t.tenantKey, 'GET', '/v1/billing/wallet')).body.balance).toBe(5);
      expect((await asKey(purse, t.tenantKey, 'POST', `/v1/billing/holds/${hold.body.hold.id}/void`)).status).toBe(200);
      expect(await expireCreditBlocks(purse.ctx)).toBe(1);
      expect(await expireCreditBlocks(purse.ctx)).toBe(0);
    } finally {
      purse.ctx.nowMs = realNow;
    }
    expect((await asKey(purse, t.tenantKey, 'GET', '/v1/billing/wallet')).body.balance).toBe(0);
    const expiries = await purse.ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', '=', `credit_expiry:${block.body.id}`).execute();
    expect(expiries).toHaveLength(1);
  });
});

describe('credit block expiry racing another instance and a debit', () => {
  it('two instances running the expiry job at once expire each block exactly once', async () => {
    const t = await setupTenant(purse);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await grant(t.tenantId, { amount: '1', reason: `b${i}`, expiresAt: inDays(1) })).body.id);
    const realNow = purse.ctx.nowMs;
    purse.ctx.nowMs = () => realNow() + 2 * DAY_MS;
    try {
      // A second instance: its own store (pool, group commit) on the same database.
      const second = await startTestPurse({}, { shareDatabaseOf: purse });
      second.ctx.nowMs = purse.ctx.nowMs;
      try {
        const [a, b] = await Promise.all([expireCreditBlocks(purse.ctx), expireCreditBlocks(second.ctx)]);
        expect(a + b).toBeGreaterThanOrEqual(5);
      } finally {
        await second.close();
      }
    } finally {
      purse.ctx.nowMs = realNow;
    }
    const n = await purse.ctx.store.db.selectFrom('ledger_transactions').select('id').where('kind', '=', 'credit_expiry').where('tenant_id', '=', t.tenantId).execute();
    expect(n).toHaveLength(5);
  });

  it('a debit racing the expiry of the block it would draw from: never both (20 races)', async () => {
    for (let i = 0; i < 20; i += 1) {
      const t = await setupTenant(purse);
      const block = await grant(t.tenantId, { amount: '1', reason: 'race', expiresAt: new Date(purse.ctx.nowMs() + 60_000).toISOString() });
      const realNow = purse.ctx.nowMs;
      // Half the races at the expiry's own millisecond, half just after: a debit then may not draw from it.
      const at = realNow() + 60_000 + (i % 2);
      purse.ctx.nowMs = () => at;
      try {
        const [debit] = await Promise.all([
          asKey(purse, t.tenantKey, 'POST', '/v1/billing/usage', { amount: '0.50' }, { 'idempotency-key': `race-${i}` }),
          expireCreditBlocks(purse.ctx),
        ]);
        expect(debit.status).toBe(402);
      } finally {
        purse.ctx.nowMs = realNow;
      }
      const moves = await purse.ctx.store.db.selectFrom('credit_block_postings as p').innerJoin('ledger_transactions as x', 'x.id', 'p.transaction_id')
        .select(['x.kind', 'p.amount_minor']).where('p.block_id', '=', block.body.id).orderBy('x.seq').execute();
      expect(moves.map((r) => [r.kind, Number(r.amount_minor)])).toEqual([['credit_grant', 100], ['credit_expiry', -100]]);
    }
  });
});

describe('credit blocks under concurrent debits', () => {
  it('2,000 concurrent debits over 20 blocks never overdraw and drain every block exactly', async () => {
    const t = await setupTenant(purse);
    for (let i = 0; i < 20; i += 1) await grant(t.tenantId, { amount: '1', reason: `c${i}`, priority: i % 3, ...(i % 2 ? { expiresAt: inDays(i + 1) } : {}) });
    const results = await Promise.all(Array.from({ length: 2_000 }, (_, i) => asKey(purse, t.tenantKey, 'POST', '/v1/billing/usage', { amount: '0.01' }, { 'idempotency-key': `c-${i}` })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2_000);
    expect((await asKey(purse, t.tenantKey, 'POST', '/v1/billing/usage', { amount: '0.01' }, { 'idempotency-key': 'one-more' })).status).toBe(402);
    const left = await purse.ctx.store.db.selectFrom('credit_blocks').select('remaining_minor').where('tenant_id', '=', t.tenantId).execute();
    expect(left.every((b) => BigInt(b.remaining_minor) === 0n)).toBe(true);
    await expectLedgerSound(purse);
  });
});

describe('GET /v1/admin/reports/credits', () => {
  it('reproduces from the ledger: closing equals the sum of wallet balances, and the figures reconcile', async () => {
    const month = new Date(purse.ctx.nowMs()).toISOString().slice(0, 7);
    const res = await admin(purse, 'GET', `/v1/admin/reports/credits?month=${month}`);
    expect(res.status).toBe(200);
    const brl = res.body.currencies.find((c: { currency: string }) => c.currency === 'BRL');
    const wallets = await purse.ctx.store.db.selectFrom('wallets').select('balance_minor').where('currency', '=', 'BRL').execute();
    const totalMinor = wallets.reduce((s, w) => s + Number(w.balance_minor), 0);
    expect(Math.round(brl.closing * 100)).toBe(totalMinor);
    const sumSplit = (s: { purchased: number; promotional: number; other: number }) => s.purchased + s.promotional + s.other;
    const recomputed = brl.opening + brl.purchased + brl.granted - sumSplit(brl.consumed) - sumSplit(brl.expired) - brl.voided - brl.clawedBack + brl.adjusted;
    expect(Math.round(recomputed * 100)).toBe(Math.round(brl.closing * 100));
    expect(brl.granted).toBeGreaterThan(0);
    expect(brl.expired.promotional).toBeGreaterThan(0);
    expect((await admin(purse, 'GET', '/v1/admin/reports/credits?month=2026-13')).body.code).toBe('VALIDATION_ERROR');
  });
});
