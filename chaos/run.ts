import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BenchDatabase, freshBenchDatabase } from '../bench/fixtures.ts';
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, REPO_ROOT } from '../bench/processes.ts';
import { type Expectation, type Mailbag, deliverDelayed, redeliverUnanswered, runSchedule, sandboxStripe } from './drive.ts';
import { adminCall } from '../bench/fixtures.ts';
import { type Violation, checkSchedule } from './invariants.ts';
import { checkCredits } from './credit-invariants.ts';
import { openManualClock } from './credits.ts';
import { checkStripeTruth } from './stripe-truth.ts';
import { makeSchedule } from './schedule.ts';
import { CHAOS_WEBHOOK_SECRET, type World, startWorld } from './world.ts';

/**
 * `npm run chaos [-- --schedules N] [-- --seed S] [-- --db sqlite|postgres|all] [-- --minutes M]`: seeded fault schedules
 * (duplicated, reordered, delayed and dropped Stripe webhooks; Stripe 500s; refunds and disputes; SIGKILL
 * of Purse at random moments) against real processes, then the money invariants and `purse ledger verify`.
 * Prints `schedules N, violations 0`, and the seed of every schedule that broke something.
 */
const DEFAULT_SCHEDULES = 50;
/** Schedules run side by side, each with its own tenant (a kill in one lands on the others' work in flight too). */
const DEFAULT_PARALLEL = 4;
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Events stored but left unprocessed by a kill wait out their claim, then the retry job takes them. */
const INBOX_DRAIN_TIMEOUT_MS = 120_000;
const INBOX_DRAIN_POLL_MS = 500;
/** A progress line every this many schedules, so a long soak shows how far it got. */
const PROGRESS_EVERY_SCHEDULES = 100;
const MS_PER_MINUTE = 60_000;
const run = promisify(execFile);

interface Options {
  schedules: number;
  firstSeed: number;
  databases: Array<'sqlite' | 'postgres'>;
  postgresUrl: string;
  moneyBack: boolean;
  parallel: number;
  /** `--minutes M`: no new batch starts after M minutes; what ran is settled and checked as usual. Null: no limit. */
  minutes: number | null;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string) => {
    const inline = argv.find((a) => a.startsWith(`${flag}=`));
    if (inline) return inline.slice(flag.length + 1);
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const integer = (flag: string, fallback: number) => {
    const text = value(flag);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a non-negative integer, not ${text}`);
    return Number(text);
  };
  const db = value('--db') ?? 'all';
  if (!['sqlite', 'postgres', 'all'].includes(db)) throw new Error(`--db must be sqlite, postgres or all, not ${db}`);
  return {
    schedules: integer('--schedules', DEFAULT_SCHEDULES),
    firstSeed: integer('--seed', Number(process.env.PURSE_CHAOS_SEED ?? Date.now() % 1_000_000)),
    databases: db === 'all' ? ['sqlite', 'postgres'] : [db as 'sqlite' | 'postgres'],
    postgresUrl: process.env.PURSE_CHAOS_POSTGRES_URL ?? DEFAULT_POSTGRES_URL,
    moneyBack: !argv.includes('--no-money-back'),
    parallel: Math.max(1, integer('--parallel', DEFAULT_PARALLEL)),
    minutes: value('--minutes') === undefined ? null : integer('--minutes', 0),
  };
}

async function main(): Promise<number> {
  // Issue 25: the failover mode (chaos/failover.ts) runs the same schedules on a lab primary + standby.
  if (process.argv.includes('--failover')) return (await import('./failover.ts')).runFailoverChaos(process.argv.slice(2), { settle, cli });
  const options = parseOptions(process.argv.slice(2));
  console.log(`chaos: ${options.schedules} schedules per database from seed ${options.firstSeed} (replay one: --seed S --schedules 1)`);
  let total = 0;
  const violations: Violation[] = [];
  for (const kind of options.databases) {
    const { violations: found, ran } = await chaosOn(kind, options);
    total += ran;
    violations.push(...found);
    // Printed as each database finishes, so a long run shows its first database's seeds at once.
    for (const v of found) console.log(`VIOLATION [${kind}] seed ${v.seed}: ${v.what}`);
  }
  console.log(`schedules ${total}, violations ${violations.length}`);
  return violations.length === 0 ? 0 : 1;
}

async function chaosOn(kind: 'sqlite' | 'postgres', options: Options): Promise<{ violations: Violation[]; ran: number }> {
  const startedMs = Date.now();
  const stopAtMs = options.minutes === null ? Infinity : startedMs + options.minutes * MS_PER_MINUTE;
  const db = await freshBenchDatabase(kind, options.postgresUrl);
  const world = await startWorld(db.url, db.dir);
  const clock = await openManualClock(db.url, db.dir, world);
  try {
    const mail: Mailbag = { seen: new Set(), undelivered: new Map(), delayed: [], late: [] };
    // An operator-wide endpoint for wallet.debited registered before any tenant exists (issue 19).
    await adminCall(world.purseUrl, 'POST', '/v1/admin/webhook-endpoints', { url: world.sinkUrl, events: ['wallet.debited'] });
    const expectations: Expectation[] = [];
    let kills = 0;
    for (let first = 0; first < options.schedules && Date.now() < stopAtMs; first += options.parallel) {
      const batch = Array.from({ length: Math.min(options.parallel, options.schedules - first) }, (_, i) => makeSchedule(options.firstSeed + first + i, options.moneyBack));
      kills += batch.filter((s) => s.killAfterMs !== null).length;
      expectations.push(...(await Promise.all(batch.map((schedule) => runSchedule(world, schedule, mail, clock)))));
      if (Math.floor(expectations.length / PROGRESS_EVERY_SCHEDULES) > Math.floor((expectations.length - batch.length) / PROGRESS_EVERY_SCHEDULES)) {
        console.log(`[${kind}] ${expectations.length} schedules run, ${kills} with a SIGKILL, ${Math.round((Date.now() - startedMs) / MS_PER_MINUTE)} min`);
      }
    }
    const ran = expectations.length;
    if (ran < options.schedules) console.log(`[${kind}] time budget of ${options.minutes} min spent: ${ran} of ${options.schedules} schedules run; those are settled and checked`);
    await settle(world, db, mail);
    const stripe = sandboxStripe(world.sandboxUrl);
    const violations = (await Promise.all(expectations.map(async (e) => [...await checkSchedule(db, e), ...await checkStripeTruth(db, stripe, e), ...await checkCredits(db, e.seed, e.tenantId, e.credits)]))).flat();
    const verify = await cli(db, world, ['ledger', 'verify']);
    if (verify.code !== 0) violations.push({ seed: options.firstSeed, what: `purse ledger verify failed: ${verify.output.slice(-400)}` });
    const onAutoTopups = (items: Array<{ creditId: string }>) => items.filter((i) => i.creditId.startsWith('atu_')).length;
    const refunds = expectations.flatMap((e) => e.refunds);
    const disputes = expectations.flatMap((e) => e.disputes);
    const [attempts] = await db.query<{ n: number | string }>("select count(*) as n from auto_topup_attempts where state = 'succeeded'");
    const [parked] = await db.query<{ n: number | string }>("select count(*) as n from stripe_events where waiting_for is not null or outcome = 'waiting'");
    console.log(`[${kind}] ${ran} schedules, ${kills} with a SIGKILL, ${violations.length} violations; ledger verify ${verify.code === 0 ? 'clean' : 'FAILED'}`);
    console.log(`[${kind}] money back: ${refunds.length} refunds (${onAutoTopups(refunds)} of auto top-ups), ${disputes.length} disputes (${onAutoTopups(disputes)} of auto top-ups); ` +
      `${expectations.filter((e) => e.customerId !== null).length} tenants with auto top-up, ${attempts?.n ?? 0} auto top-ups charged; ${parked?.n ?? 0} events still waiting at the end`);
    const holds = expectations.flatMap((e) => e.holds).filter((h) => h.holdId !== '');
    const credits = expectations.flatMap((e) => (e.credits ? [e.credits] : []));
    console.log(`[${kind}] credit blocks: ${credits.reduce((s, c) => s + c.grants.length, 0)} granted, ${credits.reduce((s, c) => s + c.voided.length, 0)} voided, ` +
      `${credits.reduce((s, c) => s + c.expiredByClock, 0)} expired by the manual-clock runs`);
    console.log(`[${kind}] holds: ${holds.length} placed, ${holds.filter((h) => h.capturedMinor !== null).length} captured, ${holds.filter((h) => h.voided).length} voided, ${holds.filter((h) => h.leftOpen).length} left open`);
    console.log(`[${kind}] took ${Math.round((Date.now() - startedMs) / MS_PER_MINUTE)} min`);
    return { violations, ran };
  } finally {
    await clock.close();
    await world.stop();
    await db.close();
  }
}

/** The end of every outage: held-back events arrive, Stripe's retries land, reconcile finds the dropped ones. */
async function settle(world: World, db: BenchDatabase, mail: Mailbag): Promise<void> {
  for (const e of mail.late.splice(0)) mail.undelivered.set(e.id, e);
  await deliverDelayed(world, mail);
  await redeliverUnanswered(world, mail);
  if (mail.undelivered.size > 0) throw new Error(`${mail.undelivered.size} events still not acknowledged by Purse`);
  const reconcile = await cli(db, world, ['reconcile']);
  if (reconcile.code !== 0) throw new Error(`purse reconcile failed: ${reconcile.output}`);
  const deadline = Date.now() + INBOX_DRAIN_TIMEOUT_MS;
  for (;;) {
    const [row] = await db.query<{ n: number | string }>('select count(*) as n from stripe_events where processed_at_ms is null');
    if (Number(row?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`${row?.n} Stripe events never processed`);
    await new Promise((resolve) => setTimeout(resolve, INBOX_DRAIN_POLL_MS));
  }
}

async function cli(db: BenchDatabase, world: World, args: string[]): Promise<{ code: number; output: string }> {
  const env = {
    ...process.env, DATABASE_URL: db.url, PURSE_DATA_DIR: db.dir, PURSE_ADMIN_KEY: BENCH_ADMIN_KEY, PURSE_MASTER_KEY: BENCH_MASTER_KEY,
    STRIPE_SECRET_KEY: 'sk_test_purse_chaos', STRIPE_API_URL: world.sandboxUrl, STRIPE_WEBHOOK_SECRET: CHAOS_WEBHOOK_SECRET, LOG_LEVEL: 'warn',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/purse.js', ...args], { cwd: REPO_ROOT, env });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

process.exitCode = await main();
