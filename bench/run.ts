import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type BenchDatabase, type BenchTenant, createFundedTenant, freshBenchDatabase, inParallel } from './fixtures.ts';
import type { LoadResult } from './http-load.ts';
import { deepCursor, seedLargeStore, type SeedResult } from './large-store.ts';
import { type LedgerResult, ledgerInProcess } from './ledger-inprocess.ts';
import { type BenchOptions, parseOptions, selected } from './options.ts';
import { type Child, type PurseProcess, startBareServer, startPurse } from './processes.ts';
import { type RawResult, rawPostgres, rawSqlite } from './raw-db.ts';
import { type Row, describeMachine, describeRounds, printTable, printTargets, roundsRow, writeResults } from './report.ts';
import { armedTenants } from './armed.ts';
import { type BillingPageResult, billingPageRow, measureBillingPage } from './billing-page.ts';
import { measureRounds } from './rounds.ts';
import { judgeTargets } from './targets.ts';
import {
  type CheckoutLatency, type Scene, bareRoute, checkoutCreate, checkoutLatency, holdThenCapture, readGet, usageDebit, usageDebitTwoInstances, webhookIngest, whileOthersWrite, OTHER_WRITERS_CONNECTIONS,
} from './scenarios.ts';
import { creditedAmong, openCheckoutOrders, openOrders, signEvents } from './webhooks.ts';
import { postgresCounters } from './pg-counters.ts';
import { writeResultsIntoDocs } from './docs-results.ts';
import { measureOutbox } from './outbox.ts';

/**
 * `npm run bench`: real Purse processes (`purse serve`) on a fresh SQLite file and a fresh PostgreSQL
 * database, driven over HTTP by autocannon, next to the baselines measured in the same run — a bare
 * Fastify route (its own process) and the raw debit transaction in a tight loop on each database.
 */
const CURRENCY = 'BRL';
const FUNDS_HOT_MAJOR = '100000000';
const FUNDS_EACH_MAJOR = '1000000';
const READER_HISTORY = 200;
const WEBHOOK_EVENTS_MAX_FULL = 30_000;
const WEBHOOK_EVENTS_MAX_QUICK = 5_000;
const WEBHOOK_WARMUP_SHARE = 0.2;
const LEDGER_DEBITS_FULL = 20_000;
const LEDGER_DEBITS_QUICK = 5_000;
const OUTBOX_EVENTS_FULL = 10_000;
const OUTBOX_EVENTS_QUICK = 2_000;

interface Tenants {
  hot: BenchTenant;
  reader: BenchTenant;
  many: BenchTenant[];
}

export interface DatabaseReport {
  rows: Row[];
  raw: RawResult[];
  ledger: LedgerResult[];
  /** Undefined when `--only` left them out. */
  checkout: CheckoutLatency | undefined;
  webhook: { events: number; credited: number } | undefined;
  billingPage: BillingPageResult | undefined;
  seed?: SeedResult | undefined;
  purseProblemLogLines: number;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const runTag = randomBytes(4).toString('hex');
  const startedAt = new Date().toISOString();
  const postgresVersion = options.databases.includes('postgres') ? await postgresServerVersion(options.postgresUrl) : undefined;
  console.log(`Purse bench ${options.quick ? '(quick) ' : ''}${options.large ? '(large store) ' : ''}— ${options.durationSeconds}s per scenario, ${options.connections} connections`);
  const bare = await startBareServer();
  const reports: Record<string, DatabaseReport> = {};
  try {
    for (const kind of options.databases) {
      console.log(`\n== ${kind} ==`);
      reports[kind] = await benchDatabase(kind, options, bare, runTag);
    }
  } finally {
    await bare.stop();
  }
  const rows = Object.values(reports).flatMap((r) => r.rows);
  const targets = judgeTargets(reports);
  console.log('');
  printTable(rows);
  printTargets(targets);
  const run = { startedAt, finishedAt: new Date().toISOString(), options, machine: describeMachine(postgresVersion), rows, targets, databases: reports };
  const path = writeResults(run);
  console.log(`\nwritten to ${path}`);
  // A partial or smoke run is not a record: only a full run rewrites the documented results.
  if (!options.only && !options.quick) console.log(`written into ${writeResultsIntoDocs(run)}`);
}

async function benchDatabase(kind: 'sqlite' | 'postgres', options: BenchOptions, bare: Child, runTag: string): Promise<DatabaseReport> {
  const db = await freshBenchDatabase(kind, options.postgresUrl);
  try {
    // The database alone first, before Purse shares the machine with it.
    const raw = selected(options, 'raw debit transaction (baseline)') ? await rawBaselines(db, options) : [];
    for (const r of raw) console.log(`  ${r.name}: ${r.txPerSecond.toFixed(0)} tx/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`);
    const ledger = selected(options, 'ledger in process') ? await ledgerInProcess(kind, db.dir, db.url, options.quick ? LEDGER_DEBITS_QUICK : LEDGER_DEBITS_FULL) : [];
    for (const l of ledger) console.log(`  ${l.name}, ${l.wallets} wallet(s): ${l.txPerSecond.toFixed(0)} debits/s`);
    const purse = await startPurse(db.url, db.dir);
    try {
      return await againstPurse(kind, options, { purse, bare, db, raw, ledger, runTag });
    } finally {
      await purse.stop();
    }
  } finally {
    await db.close();
  }
}

async function rawBaselines(db: BenchDatabase, options: BenchOptions): Promise<RawResult[]> {
  if (db.kind === 'sqlite') return [rawSqlite(db.dir, options.durationSeconds)];
  return [
    await rawPostgres(db.url, 1, 1, options.durationSeconds),
    await rawPostgres(db.url, options.connections, 1, options.durationSeconds),
    await rawPostgres(db.url, options.connections, options.walletsMany, options.durationSeconds),
  ];
}

interface Running {
  purse: PurseProcess;
  bare: Child;
  db: BenchDatabase;
  raw: RawResult[];
  ledger: LedgerResult[];
  runTag: string;
}

async function againstPurse(kind: 'sqlite' | 'postgres', options: BenchOptions, run: Running): Promise<DatabaseReport> {
  const scene: Scene = { purseUrl: run.purse.url, options, runTag: `${run.runTag}-${kind}` };
  const tenants = await setUpTenants(scene, options);
  const rows: Row[] = [...baselineRows(kind, run)];
  const measure = measurer(kind, scene, run, rows);
  await measure('usage debit, one hot wallet', () => usageDebit(scene, [tenants.hot]), { unit: 'debits/s' });
  if (selected(options, 'usage debit, one wallet,')) {
    const armed = await armedTenants(scene.purseUrl, run.purse.sandboxUrl, CURRENCY);
    await measure('usage debit, one wallet, nothing armed', () => usageDebit(scene, [armed.plain]), { unit: 'debits/s' });
    await measure('usage debit, one wallet, auto top-up armed (not crossed)', () => usageDebit(scene, [armed.autoTopup]), { unit: 'debits/s' });
    await measure('usage debit, one wallet, low-balance endpoint (not crossed)', () => usageDebit(scene, [armed.lowBalanceEndpoint]), { unit: 'debits/s' });
  }
  await measure(`usage debit, ${options.walletsMany} wallets`, () => usageDebit(scene, tenants.many), { unit: 'debits/s' });
  if (kind === 'postgres') await twoInstances(scene, run, tenants, measure, rows);
  await measure(`hold + capture, ${options.walletsMany} wallets`, () => holdThenCapture(scene, tenants.many), { unit: 'pairs/s', divide: 2 });
  await measure('balance read', () => whileOthersWrite(scene, tenants.many, () => readGet(scene, tenants.reader, '/v1/billing/wallet')), READS_WHILE_WRITING);
  await measure('transactions page (limit 50)', () => whileOthersWrite(scene, tenants.many, () => readGet(scene, tenants.reader, '/v1/billing/transactions?limit=50')), READS_WHILE_WRITING);
  const billingPage = selected(options, 'billing page') ? await measureBillingPage(scene, CURRENCY, FUNDS_EACH_MAJOR) : undefined;
  if (billingPage) rows.push(billingPageRow(kind, billingPage));
  const checkout = selected(options, 'checkout') ? await checkoutLatency(scene, run.purse.sandboxUrl, tenants.reader, CURRENCY) : undefined;
  if (checkout) rows.push(...checkoutRows(kind, checkout));
  await measure('checkout creation (sandbox)', () => checkoutCreate(scene, tenants.many));
  const webhook = selected(options, 'signed webhook ingest') ? await ingestWebhooks(scene, run.db, tenants.reader, options, measure) : undefined;
  if (selected(options, 'outbox delivery')) {
    rows.push(await measureOutbox({
      kind, purse: run.purse, receiverUrl: `${run.bare.url}/bare`, db: run.db, rounds: options.rounds,
      events: options.quick ? OUTBOX_EVENTS_QUICK : OUTBOX_EVENTS_FULL, runTag: scene.runTag,
    }));
  }
  const seed = options.large ? await largeStore(scene, run.db, tenants, measure) : undefined;
  return { rows, raw: run.raw, ledger: run.ledger, checkout, webhook, billingPage, seed, purseProblemLogLines: run.purse.problemLines() };
}

type Measure = (scenario: string, load: (round: number) => Promise<LoadResult>, opts?: { unit?: string; divide?: number; note?: string }) => Promise<void>;

/** The read scenarios run with other tenants writing beside them (scenarios.ts whileOthersWrite). */
const READS_WHILE_WRITING = { note: `while ${OTHER_WRITERS_CONNECTIONS} connections of other tenants' usage debits run (1,000 wallets)` };

/** Each scenario in rounds, every round right after a round of the bare route (A/B/A/B), CPU charged per request. */
function measurer(kind: 'sqlite' | 'postgres', scene: Scene, run: Running, rows: Row[]): Measure {
  return async (scenario, load, opts = {}) => {
    if (!selected(scene.options, scenario)) return;
    const result = await measureRounds({
      rounds: scene.options.rounds,
      bare: () => bareRoute(scene, run.bare.url),
      scenario: load,
      probe: { serverPid: run.purse.pid, database: kind },
      ...(opts.divide ? { divide: opts.divide } : {}),
      counters: kind === 'postgres' ? postgresCounters(run.db) : undefined,
    });
    const row = roundsRow(kind, scenario, scene.options.connections, result, opts.unit ?? 'req/s');
    if (opts.note) row.note = opts.note;
    rows.push(row);
    console.log(`  ${scenario}: ${describeRounds(result, row.unit)}`);
  };
}

/** PostgreSQL only: the 1,000-wallet debits again, spread over a second `purse serve` on the same database. */
async function twoInstances(scene: Scene, run: Running, tenants: Tenants, measure: Measure, rows: Row[]): Promise<void> {
  const scenario = `usage debit, ${scene.options.walletsMany} wallets, two instances`;
  if (!selected(scene.options, scenario)) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'purse-bench-second-'));
  const second = await startPurse(run.db.url, dataDir);
  try {
    await measure(scenario, () => usageDebitTwoInstances(scene, second.url, tenants.many), { unit: 'debits/s' });
    const row = rows.find((r) => r.scenario === scenario);
    if (row) row.note = 'half the connections to each instance; server CPU is the first instance only';
  } finally {
    await second.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function baselineRows(kind: 'sqlite' | 'postgres', run: Running): Row[] {
  const rawTx = run.raw[0];
  const rows: Row[] = run.raw.map((r) => ({
    database: kind, scenario: `${r.name} (baseline)`, connections: r.clients, throughput: r.txPerSecond, unit: 'tx/s', p50Ms: r.p50Ms, p99Ms: r.p99Ms, failed: 0,
  }));
  for (const l of run.ledger) {
    rows.push({
      database: kind, scenario: `${l.name}, ${l.wallets} wallet${l.wallets === 1 ? '' : 's'}`, connections: 50, throughput: l.txPerSecond, unit: 'debits/s',
      p50Ms: Number.NaN, p99Ms: Number.NaN, failed: 0, vsRawTx: rawTx ? l.txPerSecond / rawTx.txPerSecond : undefined, note: 'no HTTP: recordTransaction from 50 callers',
    });
  }
  return rows;
}

async function setUpTenants(scene: Scene, options: BenchOptions): Promise<Tenants> {
  const startMs = performance.now();
  const url = scene.purseUrl;
  const hot = await createFundedTenant(url, 'Hot wallet', CURRENCY, FUNDS_HOT_MAJOR);
  const reader = await createFundedTenant(url, 'Reader', CURRENCY, FUNDS_EACH_MAJOR);
  // The large store interleaves the reader's history with other tenants' writes; the reads run while they write.
  const needsMany = options.large || [`${options.walletsMany} wallets`, 'checkout creation', 'balance read', 'transactions page'].some((name) => selected(options, name));
  const many = needsMany ? await inParallel(options.walletsMany, (i) => createFundedTenant(url, `Tenant ${i}`, CURRENCY, FUNDS_EACH_MAJOR)) : [];
  await inParallel(READER_HISTORY, async (i) => {
    const res = await fetch(`${url}/v1/billing/usage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': reader.apiKey, 'idempotency-key': `${scene.runTag}-history-${i}` },
      body: JSON.stringify({ amount: '0.01' }),
    });
    if (res.status !== 201) throw new Error(`reader history debit → ${res.status}: ${await res.text()}`);
  });
  console.log(`  set up ${many.length + 2} tenants with keys and funds in ${((performance.now() - startMs) / 1000).toFixed(1)} s`);
  return { hot, reader, many };
}

function checkoutRows(kind: 'sqlite' | 'postgres', c: CheckoutLatency): Row[] {
  console.log(`  checkout, 1 at a time: Purse p50 ${c.purse.p50Ms.toFixed(2)} ms vs sandbox alone ${c.sandbox.p50Ms.toFixed(2)} ms → Purse adds ${c.addedP50Ms.toFixed(2)} ms`);
  const row = (scenario: string, s: CheckoutLatency['purse'], note: string): Row => ({
    database: kind, scenario, connections: 1, throughput: 1000 / s.meanMs, unit: 'req/s', p50Ms: s.p50Ms, p99Ms: s.p99Ms, failed: s.failed, note,
  });
  return [
    row('stripe.checkout.sessions.create on the sandbox alone', c.sandbox, 'same SDK call, straight to the sandbox'),
    row('checkout creation, 1 at a time', c.purse, `Purse adds ${c.addedP50Ms.toFixed(2)} ms at p50`),
  ];
}

async function ingestWebhooks(scene: Scene, db: BenchDatabase, tenant: BenchTenant, options: BenchOptions, measure: Measure): Promise<{ events: number; credited: number }> {
  const wanted = options.quick ? WEBHOOK_EVENTS_MAX_QUICK : WEBHOOK_EVENTS_MAX_FULL;
  // The checkout scenario leaves open orders; when `--only` left it out, open some here.
  if ((await openOrders(db, 1)).length === 0) await openCheckoutOrders(scene.purseUrl, [tenant], WEBHOOK_EVENTS_MAX_QUICK);
  const orders = await openOrders(db, wanted);
  const events = signEvents(orders, scene.runTag);
  // Like every other scenario, a warm-up first (real deliveries, credited too) that is not measured; then
  // one share of the remaining events per round, each event delivered once.
  const warmup = Math.floor(events.length * WEBHOOK_WARMUP_SHARE);
  await webhookIngest(scene, events.slice(0, warmup));
  const perRound = Math.floor((events.length - warmup) / options.rounds);
  await measure('signed webhook ingest → credited', (round) => webhookIngest(scene, events.slice(warmup + round * perRound, warmup + (round + 1) * perRound)), { unit: 'events/s' });
  const credited = await creditedAmong(db, events.map((e) => e.orderId));
  const delivered = warmup + perRound * options.rounds;
  console.log(`  webhooks: ${delivered} events delivered, ${credited} orders credited`);
  return { events: delivered, credited };
}

async function largeStore(scene: Scene, db: BenchDatabase, tenants: Tenants, measure: Measure): Promise<SeedResult> {
  console.log('  seeding the large store…');
  const seed = await seedLargeStore(db, tenants.reader.tenantId, tenants.many.map((t) => t.tenantId), CURRENCY, scene.options.seedPostings);
  console.log(`  seeded ${seed.postingsAdded} postings in ${seed.seconds.toFixed(1)} s (store: ${seed.postingsTotal} postings; reader: ${seed.readerTransactions} transactions)`);
  const label = `large store, ${(seed.postingsTotal / 1e6).toFixed(2)}M postings`;
  const reading = (path: string) => () => whileOthersWrite(scene, tenants.many, () => readGet(scene, tenants.reader, path));
  await measure(`balance read (${label})`, reading('/v1/billing/wallet'), READS_WHILE_WRITING);
  await measure(`transactions page (${label})`, reading('/v1/billing/transactions?limit=50'), READS_WHILE_WRITING);
  const cursor = await deepCursor(db, tenants.reader.tenantId);
  await measure(`transactions page mid-history (${label})`, reading(`/v1/billing/transactions?limit=50&cursor=${cursor}`), READS_WHILE_WRITING);
  return seed;
}

async function postgresServerVersion(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

await main();
