import { cpus, loadavg } from 'node:os';
import { createPurse } from '../src/app.ts';
import { parseConfig } from '../src/config/config.ts';
import { ROLLUP_SETTLE_MS, foldLedgerTotals } from '../src/console/rollup.ts';
import { TEST_SECRETS } from '../src/testing/harness.ts';
import { TEST_OPERATOR_PASSWORD, createTestOperator } from '../src/testing/console.ts';
import { freshBenchDatabase } from './fixtures.ts';
import { seedLargeStore } from './large-store.ts';
import { seedTenants } from './console-seed.ts';
import { CAPABILITY_LEDGER_CHECKS } from '../src/cli/ledger.ts';
import { verifyLedger } from '../src/ledger/verify-ledger.ts';

/**
 * `node --import tsx bench/console-pages.ts [--db=sqlite|postgres] [--postings=N] [--rounds=N] [--samples=N] [--verify=1]`: every console
 * page's server time (`Server-Timing: render;dur=…`) with 10,000 tenants and 1,000,000 postings, search
 * included. Pages are requested in-process (fastify.inject), interleaved page by page within each round so
 * a loaded machine slows every page alike; per page the p50 and p95 over all rounds. Target: p95 ≤ 50 ms.
 * Seeding is set-based (console-seed.ts, large-store.ts); `--verify=1` then runs `purse ledger verify`'s checks.
 */
const TENANTS = 10_000;
const ARG = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const POSTINGS = Number(ARG('postings', '1000000'));
const ROUNDS = Number(ARG('rounds', '3'));
const SAMPLES_PER_ROUND = Number(ARG('samples', '40'));
const KIND = ARG('db', 'sqlite') as 'sqlite' | 'postgres';
const TARGET_P95_MS = 50;

const db = await freshBenchDatabase(KIND, process.env.PURSE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const purse = await createPurse(parseConfig({ PURSE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url, PUBLIC_URL: 'http://localhost:8080' }), { secrets: TEST_SECRETS, jobs: false });
try {
  const t0 = performance.now();
  const tenants = await seedTenants(purse.ctx, db, TENANTS, (i) => (i % 2 ? 'BRL' : 'USD'));
  const tenantSeconds = (performance.now() - t0) / 1000;
  const brl = tenants.filter((_, i) => i % 2 === 1);
  const seeded = await seedLargeStore(db, brl[0]!, brl.slice(1, 1001), 'BRL', POSTINGS);
  console.log(`seeded ${TENANTS} tenants in ${tenantSeconds.toFixed(1)} s and ${seeded.postingsTotal} postings in ${seeded.seconds.toFixed(1)} s`);
  if (ARG('verify', '0') === '1') {
    const v0 = performance.now();
    const report = await verifyLedger(purse.ctx.store.db, CAPABILITY_LEDGER_CHECKS);
    console.log(`ledger verify: ${report.ok ? 'every invariant holds' : `FAILED ${JSON.stringify(report.checks.filter((c) => !c.ok))}`} (${((performance.now() - v0) / 1000).toFixed(1)} s)`);
  }
  // The console-rollup job catches up (as after any restart; on PostgreSQL once the seeded rows have settled,
  // hence the clock moved on); from then on each request folds only what is new.
  const settled = { ...purse.ctx, nowMs: () => purse.ctx.nowMs() + ROLLUP_SETTLE_MS };
  let folded = 0;
  for (let n = await foldLedgerTotals(settled); n > 0; n = await foldLedgerTotals(settled)) folded += n;
  console.log(`rollup caught up: ${folded} transactions folded`);
  const email = await createTestOperator(purse as never, 'owner');
  const cookie = await login(email);
  // The second page of the broadest name search (every tenant's name starts with "tenant").
  const secondPage = /cursor=(ten_[0-9A-Za-z]+)/.exec(String((await purse.app.inject({ method: 'GET', url: '/admin/tenants?q=tenant', headers: { cookie } })).body))![1]!;
  const pages = ['/admin', '/admin/tenants', '/admin/tenants?q=Tenant%2009876', '/admin/tenants?q=tenant', `/admin/tenants?q=tenant&cursor=${secondPage}`, `/admin/tenants?q=${brl[0]}`,
    '/admin/tenants?currency=BRL&filter=low', `/admin/tenants/${brl[0]}`, `/admin/tenants/${brl[500]}`, '/admin/deliveries', '/admin/inbox', '/admin/audit', '/admin/operators'];
  const samples = new Map<string, number[]>(pages.map((p) => [p, []]));
  const cpu = new Map<string, number[]>(pages.map((p) => [p, []]));
  for (const page of pages) await get(page, cookie); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let i = 0; i < SAMPLES_PER_ROUND; i += 1) {
      for (const page of pages) {
        const before = process.cpuUsage();
        samples.get(page)!.push(await get(page, cookie));
        const used = process.cpuUsage(before);
        cpu.get(page)!.push(used.user + used.system);
      }
    }
  }
  // CPU µs of this process per request (median): on SQLite the whole page, queries included; on PostgreSQL
  // the Node side only. Unlike server time it does not grow when other jobs take the cores.
  console.log(`| page | p50 ms | p95 ms | max ms | CPU µs p50 |\n|---|---|---|---|---|`);
  let worst = 0;
  for (const [page, ms] of samples) {
    ms.sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
    worst = Math.max(worst, at(0.95));
    const us = cpu.get(page)!.sort((a, b) => a - b);
    console.log(`| ${page.replace(brl[0]!, '{reader}').replace(brl[500]!, '{other}').replace(secondPage, '{50th}')} | ${at(0.5).toFixed(2)} | ${at(0.95).toFixed(2)} | ${ms.at(-1)!.toFixed(2)} | ${us[Math.floor(us.length / 2)]} |`);
  }
  console.log(`machine load (1/5/15 min): ${loadavg().map((l) => l.toFixed(1)).join(' / ')} on ${cpus().length} cores`);
  console.log(`${KIND}: worst p95 ${worst.toFixed(2)} ms (target ≤ ${TARGET_P95_MS} ms) → ${worst <= TARGET_P95_MS ? 'PASS' : 'FAIL'}`);
} finally {
  await purse.close();
  await db.close();
}

async function login(email: string): Promise<string> {
  const page = await purse.app.inject({ method: 'GET', url: '/admin/login' });
  const binding = String(page.headers['set-cookie']).split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await purse.app.inject({
    method: 'POST', url: '/admin/login', headers: { cookie: binding, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ csrf, email, password: TEST_OPERATOR_PASSWORD }).toString(),
  });
  return [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('purse_console='))!.split(';')[0]!;
}

async function get(url: string, cookie: string): Promise<number> {
  const res = await purse.app.inject({ method: 'GET', url, headers: { cookie } });
  if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode}`);
  return Number(/render;dur=([0-9.]+)/.exec(String(res.headers['server-timing']))![1]);
}
