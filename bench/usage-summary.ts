import { sql } from 'kysely';
import { admin, asKey, setupTenant } from '../src/testing/api.ts';
import { startTestPurse } from '../src/testing/harness.ts';
import { percentile } from './http-load.ts';

/**
 * `node --import tsx bench/usage-summary.ts [--debits N] [--samples N]` (PURSE_TEST_DATABASE_URL for
 * PostgreSQL): GET /v1/billing/usage/summary over a wallet with N usage debits (default 1,000,000) spread
 * over 30 days, 8 numbers and 20 descriptions. The ledger rows are generated in SQL, and the hourly rollup
 * is built from them with the same statement as migration 0014's backfill (what the debit path keeps in
 * step, proved by usage-summary.test.ts and ledger verify). Times each groupBy through HTTP (inject), p50
 * and p95 in ms; the SPEC §9.4 target is 50 ms at 1,000,000 debits.
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DEBITS = arg('--debits', 1_000_000);
const SAMPLES = arg('--samples', 30);
const DAY_MS = 86_400_000;

const nowMs = Date.UTC(2026, 11, 1, 12, 0, 0);
const purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { nowMs: () => nowMs });
try {
  const t = await setupTenant(purse);
  const db = purse.ctx.store.db;
  const numbers = [t.numberId];
  for (let n = 1; n < 8; n += 1) numbers.push((await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/numbers`, { name: `+55119999900${n}` })).body.id as string);
  const numberOf = sql.join(numbers.map((id, n) => sql`WHEN ${n} THEN ${id}`), sql` `);
  const started = performance.now();
  const startMs = nowMs - 30 * DAY_MS;
  const stepMs = Math.floor((30 * DAY_MS) / DEBITS);
  const postgres = purse.pgSchema !== undefined;
  const series = postgres
    ? sql`SELECT g AS i FROM generate_series(1, ${DEBITS}) g`
    : sql`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${DEBITS}) SELECT i FROM s`;
  await sql`INSERT INTO ledger_transactions (id, reference, tenant_id, number_id, kind, description, metadata, currency, wallet_amount_minor, wallet_balance_after_minor, created_at_ms)
    SELECT 'txn_bench_' || i, 'usage:bench:' || i, ${t.tenantId}, CASE WHEN i % 9 = 0 THEN NULL ELSE (CASE i % 8 ${numberOf} END) END, 'usage',
      'desc ' || (i % 20), NULL, 'BRL', -(1 + i % 50), NULL, CAST(${BigInt(startMs)} AS bigint) + i * CAST(${BigInt(stepMs)} AS bigint)
    FROM (${series}) gen`.execute(db);
  await sql`INSERT INTO usage_hourly (tenant_id, hour_ms, number_id, description, currency, amount_minor, count)
    SELECT tenant_id, created_at_ms - (created_at_ms % 3600000), COALESCE(number_id, ''), COALESCE(description, ''), currency, -SUM(wallet_amount_minor), COUNT(*)
    FROM ledger_transactions WHERE kind IN ('usage', 'hold_capture') AND tenant_id = ${t.tenantId}
    GROUP BY tenant_id, created_at_ms - (created_at_ms % 3600000), COALESCE(number_id, ''), COALESCE(description, ''), currency`.execute(db);
  const rollupRows = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM usage_hourly WHERE tenant_id = ${t.tenantId}`.execute(db);
  console.log(`${purse.pgSchema ? 'postgres' : 'sqlite'}: ${DEBITS} debits, ${rollupRows.rows[0]?.n} rollup rows, seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const query of ['', '?groupBy=number', '?groupBy=description', '?timeZone=America/Sao_Paulo', '']) {
    const times: number[] = [];
    let body: { count?: number } = {};
    for (let i = 0; i < SAMPLES; i += 1) {
      const t0 = performance.now();
      const res = await asKey(purse, t.tenantKey, 'GET', `/v1/billing/usage/summary${query}`);
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`summary → ${res.status}: ${JSON.stringify(res.body)}`);
      body = res.body as { count?: number };
    }
    times.sort((a, b) => a - b);
    console.log(`summary${query || ' (by day)'}: count ${body.count}, p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`);
  }
} finally {
  await purse.close();
}
