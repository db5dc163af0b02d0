import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.ts';
import { type TestTenant, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// 2026-11-20 10:00 UTC; moved forward by the tests through the purse's clock.
let nowMs = Date.UTC(2026, 10, 20, 10, 0, 0);
let purse: TestPurse;
let keyCounter = 0;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { nowMs: () => nowMs });
});

afterAll(async () => {
  await purse?.close();
});

function debit(secret: string, body: Record<string, unknown>) {
  keyCounter += 1;
  return asKey(purse, secret, 'POST', '/v1/billing/usage', body, { 'idempotency-key': `summary-${keyCounter}` });
}

function summary(secret: string, query: string) {
  return asKey(purse, secret, 'GET', `/v1/billing/usage/summary${query}`);
}

async function debitAt(tenant: TestTenant, atMs: number, body: Record<string, unknown>, secret = tenant.tenantKey): Promise<void> {
  nowMs = atMs;
  const res = await debit(secret, body);
  expect(res.status).toBe(201);
}

describe('GET /v1/billing/usage/summary — sums by day, number and description', () => {
  it('sums debits per day, number and description, zero-filling days without spending, with totals equal to the history', async () => {
    const t = await setupTenant(purse);
    const start = Date.UTC(2026, 10, 1, 0, 0, 0);
    nowMs = start;
    await fundWallet(purse, t.tenantId, 1000);
    await debitAt(t, start + 3 * HOUR_MS, { amount: '1.25', description: 'SMS' });
    await debitAt(t, start + 5 * HOUR_MS, { amount: '0.75', description: 'SMS', numberId: t.numberId });
    await debitAt(t, start + 2 * DAY_MS + HOUR_MS, { amount: '2.00', description: 'Voice' });
    nowMs = start + 3 * DAY_MS;
    const byDay = await summary(t.tenantKey, '?from=2026-11-01&to=2026-11-04');
    expect(byDay.status).toBe(200);
    expect(byDay.body).toMatchObject({ currency: 'BRL', total: 4, count: 3, averageDaily: 1.33, timeZone: 'UTC' });
    expect(byDay.body.data).toEqual([
      { key: '2026-11-01', amount: 2, count: 2 },
      { key: '2026-11-02', amount: 0, count: 0 },
      { key: '2026-11-03', amount: 2, count: 1 },
    ]);
    const history = await asKey(purse, t.tenantKey, 'GET', '/v1/billing/transactions?limit=50');
    const spent = history.body.data.filter((x: { kind: string }) => x.kind === 'usage').reduce((s: number, x: { amount: number }) => s - x.amount, 0);
    expect(spent).toBeCloseTo(byDay.body.total, 10);
    const byNumber = await summary(t.tenantKey, '?from=2026-11-01&to=2026-11-04&groupBy=number');
    expect(byNumber.body.data).toEqual([{ key: null, amount: 3.25, count: 2 }, { key: t.numberId, amount: 0.75, count: 1 }]);
    const byDescription = await summary(t.tenantKey, '?from=2026-11-01&to=2026-11-04&groupBy=description');
    // Equal amounts: by key.
    expect(byDescription.body.data).toEqual([{ key: 'SMS', amount: 2, count: 2 }, { key: 'Voice', amount: 2, count: 1 }]);
    await expectLedgerSound(purse);
  });

  it('cuts days in the asked time zone: 02:00 UTC is the day before in São Paulo', async () => {
    const t = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 10, 0, 0, 0);
    await fundWallet(purse, t.tenantId, 100);
    await debitAt(t, Date.UTC(2026, 10, 10, 2, 0, 0), { amount: 1 });
    const utc = await summary(t.tenantKey, '?from=2026-11-09&to=2026-11-11');
    expect(utc.body.data.find((d: { count: number }) => d.count > 0).key).toBe('2026-11-10');
    const saoPaulo = await summary(t.tenantKey, '?from=2026-11-09&to=2026-11-11&timeZone=America/Sao_Paulo');
    expect(saoPaulo.body.data.find((d: { count: number }) => d.count > 0).key).toBe('2026-11-09');
  });
});

describe('GET /v1/billing/usage/summary — projection and who may read', () => {
  it('projects runsOutAt from the available balance at the last 30 days\' pace, and null when nothing was spent', async () => {
    const t = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 1, 12, 0, 0);
    await fundWallet(purse, t.tenantId, 100);
    expect((await summary(t.tenantKey, '')).body.runsOutAt).toBeNull();
    await debitAt(t, nowMs, { amount: 30 });
    // 30 spent in the last 30 days = 1 a day; 70 available → 70 days from now.
    const res = await summary(t.tenantKey, '');
    expect(res.body.runsOutAt).toBe(new Date(nowMs + 70 * DAY_MS).toISOString());
  });

  it('refuses a number key (billing is account-level) and shows another tenant nothing of this one', async () => {
    const t = await setupTenant(purse);
    const other = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 5, 12, 0, 0);
    await fundWallet(purse, t.tenantId, 100);
    await debitAt(t, nowMs, { amount: 5 });
    await debitAt(t, nowMs, { amount: 1 }, t.numberKey);
    expect((await summary(t.tenantKey, '')).body.total).toBe(6);
    expect((await summary(t.numberKey, '')).status).toBe(403);
    expect((await summary(other.tenantKey, '')).body).toMatchObject({ total: 0, count: 0, runsOutAt: null });
  });
});

describe('GET /v1/billing/usage/summary — validation', () => {
  it.each([
    ['from after to', '?from=2026-11-05&to=2026-11-01', 'from'],
    ['a range over 366 days', '?from=2024-01-01&to=2026-01-01', 'from'],
    ['a malformed date', '?from=yesterday', 'from'],
    ['an unknown time zone', '?timeZone=Mars/Olympus', 'timeZone'],
  ])('refuses %s with 400 VALIDATION_ERROR naming the field', async (_name, query, field) => {
    const t = await setupTenant(purse);
    const res = await summary(t.tenantKey, query);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.details[0].field).toBe(field);
  });

  it('refuses an unknown groupBy with 400', async () => {
    const t = await setupTenant(purse);
    expect((await summary(t.tenantKey, '?groupBy=week')).status).toBe(400);
  });
});

describe('the usage rollup', () => {
  it('equals the ledger after concurrent debits from several numbers and a hold capture', async () => {
    const t = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 15, 8, 30, 0);
    await fundWallet(purse, t.tenantId, 1000);
    await Promise.all(Array.from({ length: 40 }, (_, i) => debit(i % 2 === 0 ? t.tenantKey : t.numberKey, { amount: '0.10', description: `d${i % 3}` })));
    const hold = await asKey(purse, t.tenantKey, 'POST', '/v1/billing/holds', { amount: 5 }, { 'idempotency-key': 'summary-hold' });
    expect(hold.status).toBe(201);
    const capture = await asKey(purse, t.tenantKey, 'POST', `/v1/billing/holds/${hold.body.hold.id}/capture`, { amount: 3 }, { 'idempotency-key': 'summary-capture' });
    expect(capture.status).toBe(200);
    const res = await summary(t.tenantKey, '');
    expect(res.body).toMatchObject({ total: 7, count: 41 });
    await expectLedgerSound(purse);
  });

  it('is caught by ledger verify when it disagrees with the postings', async () => {
    const t = await setupTenant(purse);
    await fundWallet(purse, t.tenantId, 10);
    await debitAt(t, nowMs, { amount: 1 });
    await sql`UPDATE usage_hourly SET amount_minor = amount_minor + 1 WHERE tenant_id = ${t.tenantId}`.execute(purse.ctx.store.db);
    const report = await verifyLedger(purse.ctx.store.db);
    expect(report.checks.find((c) => c.name === 'usage_rollup_matches_ledger')).toMatchObject({ ok: false });
    await sql`UPDATE usage_hourly SET amount_minor = amount_minor - 1 WHERE tenant_id = ${t.tenantId}`.execute(purse.ctx.store.db);
  });
});

