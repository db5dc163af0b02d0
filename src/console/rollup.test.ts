import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../context.ts';
import { JOBS } from '../jobs/jobs.ts';
import { admin, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { ROLLUP_SETTLE_MS, catchUpLedgerTotals, foldLedgerTotals } from './rollup.ts';

/** Issue 23: the overview's aggregates come from a rollup the console-rollup job keeps caught up, never a ledger scan per request. */
let purse: TestPurse;
const ADJUSTMENTS = 7;

beforeAll(async () => {
  purse = await startTestPurse();
  const tenant = await setupTenant(purse);
  for (let i = 1; i <= ADJUSTMENTS; i += 1) await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: String(i), reason: `r${i}` });
});
afterAll(async () => purse.close());

/** The context as the job sees it once the newest transactions are older than the settle time. */
function later(): Ctx {
  return { ...purse.ctx, nowMs: () => purse.ctx.nowMs() + ROLLUP_SETTLE_MS + 1_000 };
}

async function totalsByKind(table: 'console_hourly_totals' | 'ledger_transactions') {
  const db = purse.ctx.store.db;
  const rows = table === 'console_hourly_totals'
    ? await db.selectFrom('console_hourly_totals').select(['currency', 'kind', 'amount_minor', 'count']).execute()
    : await db.selectFrom('ledger_transactions').select(['currency', 'kind', 'wallet_amount_minor as amount_minor']).select((eb) => eb.val(1n).as('count')).execute();
  const out: Record<string, { amountMinor: bigint; count: bigint }> = {};
  for (const r of rows) {
    const key = `${r.currency}|${r.kind}`;
    const e = (out[key] ??= { amountMinor: 0n, count: 0n });
    e.amountMinor += BigInt(r.amount_minor);
    e.count += BigInt(r.count);
  }
  return out;
}

describe('the console rollup', () => {
  it('on PostgreSQL leaves transactions younger than the settle time for a later fold (a lower seq may still commit); SQLite folds them at once', async () => {
    const folded = await foldLedgerTotals(purse.ctx);
    expect(folded).toBe(purse.ctx.store.dialect === 'postgres' ? 0 : ADJUSTMENTS);
  });

  it('the console-rollup job catches up a backlog of many batches, and the totals equal the ledger per currency and kind', async () => {
    await catchUpLedgerTotals(later(), 2);
    expect(await totalsByKind('console_hourly_totals')).toEqual(await totalsByKind('ledger_transactions'));
    const state = await purse.ctx.store.db.selectFrom('console_rollup_state').select('last_seq').executeTakeFirstOrThrow();
    const newest = await purse.ctx.store.db.selectFrom('ledger_transactions').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(state.last_seq).toBe(newest.seq);
    expect(await foldLedgerTotals(later())).toBe(0);
  });

  it('is a scheduled job', () => {
    expect(JOBS.map((j) => j.name)).toContain('console-rollup');
  });
});
