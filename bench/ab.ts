import { randomBytes } from 'node:crypto';
import { type BenchDatabase, type BenchTenant, createFundedTenant, freshBenchDatabase, inParallel } from './fixtures.ts';
import { type LoadResult, percentile } from './http-load.ts';
import { BENCH_CONNECTIONS } from './options.ts';
import type { BenchOptions } from './options.ts';
import { BENCH_ADMIN_KEY, type PurseProcess, startBareServer, startPurse } from './processes.ts';
import { type Spread, processCpuUs, spread } from './rounds.ts';
import {
  type CheckoutCalls, type Scene, bareGet, bareRoute, bareSequential, checkoutCalls, healthz, holdThenCapture, readGet, usageDebit, webhookIngest,
} from './scenarios.ts';
import { type SignedEvent, creditedAmong, openCheckoutOrders, openOrders, signEvents } from './webhooks.ts';

/**
 * `node --import tsx bench/ab.ts --base DIR [--db sqlite|postgres] [--scenario hot|many|holds|read|history|webhook|checkout|healthz]
 * [--rounds N] [--seconds S] [--wallets N] [--events N] [--samples N] [--blocks N]`: one scenario against two builds of Purse side by side — the
 * checkout in DIR (A, say the commit before a change) and this one (B) — each on its own fresh database,
 * measured alternately with the bare route (bare, A, B, bare, B, A, …) so every ratio comes from the same
 * moment of a noisy machine. For judging one lever quickly; `npm run bench` stays the record.
 * `webhook`: each side opens checkout orders (POST /v1/billing/checkout on its sandbox) up front, then each
 * round delivers `--events` signed checkout.session.completed events, each once; every one must credit.
 * `checkout` is a latency scenario instead: `--samples` sequential checkouts per side per round, A's
 * and B's interleaved request by request, each next to the same Stripe call made straight to that side's
 * sandbox (Purse p50 − sandbox p50), and the bare route one request at a time (what the extra loopback hop
 * of the Purse path costs).
 * `healthz`: GET /healthz on both sides, next to the bare route's GET (issue 26: within 10 % of it).
 */
const CURRENCY = 'BRL';
const FUNDS_MAJOR = '100000000';
const HISTORY_DEBITS = 200;
const DEFAULT_ROUNDS = 3;
const DEFAULT_SECONDS = 2;
const DEFAULT_WALLETS = 100;
const DEFAULT_SAMPLES = 300;
const DEFAULT_EVENTS = 2_000;
// Top-up orders come from a few tenants: ingest, not one wallet's row, is what is measured.
const WEBHOOK_TENANTS = 20;
const SCENARIOS = ['hot', 'many', 'holds', 'read', 'history', 'webhook', 'checkout', 'healthz'] as const;

interface AbOptions {
  base: string;
  db: 'sqlite' | 'postgres';
  scenario: typeof SCENARIOS[number];
  rounds: number;
  samples: number;
  seconds: number;
  wallets: number;
  events: number;
  /** issue 21: credit blocks per wallet on this build's side (1: just the funding block). */
  blocks: number;
}

function parse(argv: string[]): AbOptions {
  const value = (flag: string) => {
    const inline = argv.find((a) => a.startsWith(`${flag}=`));
    if (inline) return inline.slice(flag.length + 1);
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const base = value('--base');
  if (!base) throw new Error('--base DIR (a built checkout to compare against) is required');
  const db = value('--db') ?? 'postgres';
  const scenario = value('--scenario') ?? 'hot';
  if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db sqlite|postgres, not ${db}`);
  if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`--scenario ${SCENARIOS.join('|')}, not ${scenario}`);
  return {
    base, db, scenario: scenario as AbOptions['scenario'],
    rounds: Number(value('--rounds') ?? DEFAULT_ROUNDS),
    seconds: Number(value('--seconds') ?? DEFAULT_SECONDS),
    wallets: Number(value('--wallets') ?? DEFAULT_WALLETS),
    samples: Number(value('--samples') ?? DEFAULT_SAMPLES),
    events: Number(value('--events') ?? DEFAULT_EVENTS),
    blocks: Number(value('--blocks') ?? '1'),
  };
}

interface Side {
  name: string;
  purse: PurseProcess;
  scene: Scene;
  tenants: BenchTenant[];
  /** webhook: one slice of signed events per round (and a warm-up slice first), each delivered once. */
  webhooks: SignedEvent[][];
  db: BenchDatabase;
  close(): Promise<void>;
}

async function startSide(name: string, root: string | undefined, opts: AbOptions, benchOptions: BenchOptions): Promise<Side> {
  const db = await freshBenchDatabase(opts.db, benchOptions.postgresUrl);
  // PURSE_BENCH_PROFILE_DIR: each side writes a CPU profile (node --cpu-prof) there when it stops.
  const profileDir = process.env.PURSE_BENCH_PROFILE_DIR;
  const purse = await startPurse(db.url, db.dir, root, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${name}`] : []);
  const scene: Scene = { purseUrl: purse.url, options: benchOptions, runTag: `${randomBytes(4).toString('hex')}-${name}` };
  const count = opts.scenario === 'many' || opts.scenario === 'holds' ? opts.wallets : opts.scenario === 'webhook' ? WEBHOOK_TENANTS : 1;
  const tenants = await inParallel(count, (i) => createFundedTenant(purse.url, `${name} ${i}`, CURRENCY, FUNDS_MAJOR));
  if (root === undefined && opts.blocks > 1) for (const t of tenants) await grantBlocks(purse.url, t, opts.blocks - 1);
  if (opts.scenario === 'history' || opts.scenario === 'read') await seedHistory(scene, tenants[0]);
  const webhooks = opts.scenario === 'webhook' ? await prepareWebhooks(scene, db, tenants, opts) : [];
  return { name, purse, scene, tenants, webhooks, db, close: async () => { await purse.stop(); await db.close(); } };
}

const DAY_MS = 86_400_000;

/** issue 21: `count` more active blocks (promotional, spread priorities and expiries) beside the funding block. */
async function grantBlocks(baseUrl: string, tenant: BenchTenant, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const res = await fetch(`${baseUrl}/v1/admin/tenants/${tenant.tenantId}/credits`, {
      method: 'POST', headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '1000000', reason: `bench block ${i}`, priority: 10 + (i % 5), expiresAt: new Date(Date.now() + (i + 30) * DAY_MS).toISOString() }),
    });
    if (res.status !== 201) throw new Error(`grant failed: ${res.status} ${await res.text()}`);
  }
}

/** Open orders for every round plus a warm-up, signed as Stripe would sign their completion. */
async function prepareWebhooks(scene: Scene, db: BenchDatabase, tenants: BenchTenant[], opts: AbOptions): Promise<SignedEvent[][]> {
  const slices = opts.rounds + 1;
  await openCheckoutOrders(scene.purseUrl, tenants, opts.events * slices);
  const events = signEvents(await openOrders(db, opts.events * slices), scene.runTag);
  if (events.length !== opts.events * slices) throw new Error(`${events.length} open orders, wanted ${opts.events * slices}`);
  return Array.from({ length: slices }, (_, i) => events.slice(i * opts.events, (i + 1) * opts.events));
}

async function seedHistory(scene: Scene, tenant: BenchTenant | undefined): Promise<void> {
  if (!tenant) throw new Error('no tenant');
  await inParallel(HISTORY_DEBITS, async (i) => {
    const res = await fetch(`${scene.purseUrl}/v1/billing/usage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey, 'idempotency-key': `${scene.runTag}-h-${i}` },
      body: JSON.stringify({ amount: '0.01' }),
    });
    if (res.status !== 201) throw new Error(`history debit → ${res.status}`);
  });
}

function load(side: Side, scenario: AbOptions['scenario'], round: number): Promise<LoadResult> {
  if (scenario === 'webhook') return webhookIngest(side.scene, side.webhooks[round + 1] ?? []);
  if (scenario === 'healthz') return healthz(side.scene);
  const first = side.tenants[0];
  if (!first) throw new Error('no tenant');
  if (scenario === 'read') return readGet(side.scene, first, '/v1/billing/wallet');
  if (scenario === 'history') return readGet(side.scene, first, '/v1/billing/transactions?limit=50');
  // Requests per second (a hold and its capture are two).
  if (scenario === 'holds') return holdThenCapture(side.scene, side.tenants);
  return usageDebit(side.scene, side.tenants);
}


async function measure(side: Side, scenario: AbOptions['scenario'], round: number): Promise<{ run: LoadResult; cpuUsPerRequest: number }> {
  const before = processCpuUs(side.purse.pid);
  const run = await load(side, scenario, round);
  return { run, cpuUsPerRequest: (processCpuUs(side.purse.pid) - before) / Math.max(run.ok, 1) };
}

async function checkCredited(side: Side): Promise<void> {
  const orderIds = side.webhooks.flat().map((e) => e.orderId);
  const credited = await creditedAmong(side.db, orderIds);
  console.log(`${side.name}: ${credited} of ${orderIds.length} orders credited`);
  if (credited !== orderIds.length) throw new Error(`${side.name}: ${orderIds.length - credited} delivered events did not credit`);
}

function show(label: string, s: Spread, digits = 2): string {
  return `${label} ${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)}`;
}

interface CheckoutRow { hop: number; a: number; b: number; aCpu: number; bCpu: number; failed: number }

/** One round: per iteration A's pair then B's (B's first on odd iterations), so both see the same moments. */
async function checkoutRound(samples: number, sides: Array<{ side: Side; calls: CheckoutCalls }>): Promise<Omit<CheckoutRow, 'hop'>> {
  const times = sides.map(() => ({ purse: [] as number[], sandbox: [] as number[] }));
  const cpuBefore = sides.map(({ side }) => processCpuUs(side.purse.pid));
  let failed = 0;
  const timed = async (call: () => Promise<boolean>, into: number[]) => {
    const startMs = performance.now();
    if (!(await call())) failed += 1;
    into.push(performance.now() - startMs);
  };
  for (let i = 0; i < samples; i += 1) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const { calls } = sides[k]!;
      await timed(calls.callPurse, times[k]!.purse);
      await timed(calls.callSandbox, times[k]!.sandbox);
    }
  }
  const added = times.map((t) => percentile(t.purse, 50) - percentile(t.sandbox, 50));
  const cpu = sides.map(({ side }, k) => (processCpuUs(side.purse.pid) - cpuBefore[k]!) / samples);
  return { a: added[0]!, b: added[1]!, aCpu: cpu[0]!, bCpu: cpu[1]!, failed };
}

/** Sequential checkouts on A and B interleaved, each next to its own direct sandbox call, and the bare hop. */
async function checkoutRounds(opts: AbOptions, bareUrl: string, a: Side, b: Side): Promise<void> {
  const sides = await Promise.all([a, b].map(async (side) => {
    const tenant = side.tenants[0];
    if (!tenant) throw new Error('no tenant');
    return { side, calls: await checkoutCalls(side.scene, side.purse.sandboxUrl, tenant, CURRENCY) };
  }));
  await checkoutRound(Math.ceil(opts.samples / 10), sides); // warm-up: JIT, connection pools
  const rows: CheckoutRow[] = [];
  for (let round = 0; round < opts.rounds; round += 1) {
    const hop = (await bareSequential(bareUrl, opts.samples)).p50Ms;
    const row = { hop, ...(await checkoutRound(opts.samples, sides)) };
    rows.push(row);
    console.log(`round ${round + 1}: bare hop p50 ${hop.toFixed(2)} ms; Purse adds at p50: A ${row.a.toFixed(2)} ms, B ${row.b.toFixed(2)} ms; CPU µs per pair: A ${row.aCpu.toFixed(0)}, B ${row.bCpu.toFixed(0)}; failed ${row.failed}`);
  }
  console.log(`\n${opts.db} checkout, ${opts.rounds} rounds × ${opts.samples} sequential pairs per side, min / median / max:`);
  console.log(`  ${show('A adds ms', spread(rows.map((r) => r.a)))};  ${show('B adds ms', spread(rows.map((r) => r.b)))};  ${show('bare hop ms', spread(rows.map((r) => r.hop)))}`);
  console.log(`  ${show('B − A ms', spread(rows.map((r) => r.b - r.a)))};  ${show('B − hop ms', spread(rows.map((r) => r.b - r.hop)))}`);
  console.log(`  ${show('A CPU µs/pair', spread(rows.map((r) => r.aCpu)), 0)};  ${show('B CPU µs/pair', spread(rows.map((r) => r.bCpu)), 0)}`);
  console.log(`  failed: ${rows.reduce((s, r) => s + r.failed, 0)}`);
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const benchOptions: BenchOptions = {
    quick: true, large: false, databases: [opts.db], durationSeconds: opts.seconds, warmupSeconds: Math.min(1, opts.seconds / 2),
    connections: BENCH_CONNECTIONS, walletsMany: opts.wallets,
    postgresUrl: process.env.PURSE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test', rounds: opts.rounds, seedPostings: 0,
    latencySamples: opts.samples,
  };
  const bare = await startBareServer();
  const a = await startSide('A', opts.base, opts, benchOptions);
  const b = await startSide('B', undefined, opts, benchOptions);
  if (opts.scenario === 'checkout') {
    await checkoutRounds(opts, bare.url, a, b).finally(async () => {
      await a.close();
      await b.close();
      await bare.stop();
    });
    return;
  }
  if (opts.scenario === 'webhook') for (const side of [a, b]) await webhookIngest(side.scene, side.webhooks[0] ?? []);
  const rows: Array<{ bare: number; bareCpu: number; a: number; b: number; aCpu: number; bCpu: number; aP99: number; bP99: number; failed: number }> = [];
  try {
    for (let round = 0; round < opts.rounds; round += 1) {
      const bareBefore = processCpuUs(bare.pid);
      const bareRun = opts.scenario === 'healthz' ? await bareGet(a.scene, bare.url) : await bareRoute(a.scene, bare.url);
      const bareCpu = (processCpuUs(bare.pid) - bareBefore) / Math.max(bareRun.ok, 1);
      // Alternate which side goes first, so neither always runs on the warmer machine.
      const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
      const r1 = await measure(first, opts.scenario, round);
      const r2 = await measure(second, opts.scenario, round);
      const [ra, rb] = first === a ? [r1, r2] : [r2, r1];
      rows.push({
        bare: bareRun.okPerSecond, bareCpu, a: ra.run.okPerSecond, b: rb.run.okPerSecond, aCpu: ra.cpuUsPerRequest, bCpu: rb.cpuUsPerRequest,
        aP99: ra.run.p99Ms, bP99: rb.run.p99Ms, failed: ra.run.failed + rb.run.failed,
      });
      console.log(`round ${round + 1}: bare ${bareRun.okPerSecond.toFixed(0)}/s (${bareCpu.toFixed(0)} µs CPU), A ${ra.run.okPerSecond.toFixed(0)}/s (p99 ${ra.run.p99Ms} ms, ${ra.cpuUsPerRequest.toFixed(0)} µs CPU), B ${rb.run.okPerSecond.toFixed(0)}/s (p99 ${rb.run.p99Ms} ms, ${rb.cpuUsPerRequest.toFixed(0)} µs CPU), failed ${ra.run.failed + rb.run.failed}`);
    }
    if (opts.scenario === 'webhook') for (const side of [a, b]) await checkCredited(side);
    for (const side of [a, b]) {
      const text = await (await fetch(`${side.purse.url}/metrics`)).text();
      console.log(`${side.name}: ${text.split('\n').filter((l) => l.startsWith('purse_group_commit')).join(', ')}`);
    }
  } finally {
    await a.close();
    await b.close();
    await bare.stop();
  }
  console.log(`\n${opts.db} ${opts.scenario}${opts.scenario === 'many' ? ` (${opts.wallets} wallets)` : ''}, ${opts.rounds} rounds × ${opts.seconds} s, min / median / max:`);
  console.log(`  ${show('B ÷ A', spread(rows.map((r) => r.b / r.a)))}`);
  console.log(`  ${show('A ÷ bare', spread(rows.map((r) => r.a / r.bare)), 3)};  ${show('B ÷ bare', spread(rows.map((r) => r.b / r.bare)), 3)}`);
  console.log(`  ${show('A /s', spread(rows.map((r) => r.a)), 0)};  ${show('B /s', spread(rows.map((r) => r.b)), 0)}`);
  console.log(`  ${show('A p99 ms', spread(rows.map((r) => r.aP99)), 1)};  ${show('B p99 ms', spread(rows.map((r) => r.bP99)), 1)}`);
  console.log(`  ${show('A CPU µs/req', spread(rows.map((r) => r.aCpu)), 0)};  ${show('B CPU µs/req', spread(rows.map((r) => r.bCpu)), 0)};  ${show('bare CPU µs/req', spread(rows.map((r) => r.bareCpu)), 0)}`);
  console.log(`  ${show('B CPU ÷ A CPU', spread(rows.map((r) => r.bCpu / r.aCpu)))};  ${show('bare CPU ÷ B CPU', spread(rows.map((r) => r.bareCpu / r.bCpu)))}`);
  console.log(`  failed: ${rows.reduce((s, r) => s + r.failed, 0)}`);
}

await main();
