import { PassThrough } from 'node:stream';
import { type Purse, createPurse, openCtx } from '../app.ts';
import { parseConfig } from '../config/config.ts';
import type { Ctx } from '../context.ts';
import { type Sandbox, startSandbox } from '../sandbox/index.ts';
import { CRASH_MARKER } from '../store/crash-points.ts';
import { gatewayFromConfig } from '../gateway/stripe-gateway.ts';
import { TEST_SECRETS, freshDatabase } from './harness.ts';
import { type RunningProcess, freePort, purseCli, startPurseProcess } from './process.ts';
import { RIG_WEBHOOK_SECRET, signedDelivery } from './stripe-rig.ts';

/**
 * Crash tests with real processes. A bench is one database, one Stripe sandbox (in the test process, so
 * it outlives every crash) and a port; `serve()` starts `purse serve` on them, optionally with a crash
 * point armed (store/crash-points.ts: the child SIGKILLs itself there), `kill()` SIGKILLs it from
 * outside (e.g. while the sandbox hangs a request), and a later `serve()` is the restart on the same
 * database. Then `verifyLedger()` runs `purse ledger verify` and `openCtx()` gives an in-process view of
 * the database to check invariants or run a job with a clock of the test's choosing.
 *
 * A later money path (outbox, auto top-up, clawback) gets the same treatment by adding its point to
 * CRASH_POINTS, calling crashPoint() there, and writing: serve → work → serve({ crashAt }) → work until
 * the child dies → serve() → retry everything the client sent → assert exactly-once + verifyLedger().
 */
const STARTED = /Purse is listening on (\S+)/;
// A cold `purse serve` start compiles the sources through tsx: seconds normally, far more on a loaded machine.
const START_WAIT_MS = 180_000;
const FAST_WEBHOOK_RETRY = { baseDelayMs: 1, delayMaxMs: 5, attemptsMax: 2, timeoutMs: 5_000 };

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  rawBody?: string;
}

export interface CrashBench {
  sandbox: Sandbox;
  baseUrl: string;
  /** The running child, if any. */
  child: RunningProcess | undefined;
  /** Starts `purse serve` (stopping a running one first); resolves once it listens. */
  serve(opts?: { crashAt?: string }): Promise<RunningProcess>;
  /** Resolves once the child has died by SIGKILL at its armed crash point; rejects on any other exit. */
  crashed(): Promise<void>;
  /** SIGKILLs the child now, from outside. */
  kill(): Promise<void>;
  request(method: string, path: string, opts?: RequestOptions): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  /** Delivers a Stripe event to the child, signed as the sandbox would. */
  deliver(event: unknown): Promise<{ status: number; body: unknown }>;
  verifyLedger(): Promise<{ code: number; stdout: string }>;
  /**
   * Runs `work` against an in-process Purse on the bench's database and Stripe (no jobs), closed after:
   * set-up without paying for one more process start. Never while a child may be writing to SQLite.
   */
  withPurse<T>(work: (purse: Purse) => Promise<T>): Promise<T>;
  /** The same database, in process; `nowMs` lets a job run as if later. Closed with the bench. */
  openCtx(nowMs?: () => number): Promise<Ctx>;
  close(): Promise<void>;
}

const CHILD_RATE_LIMIT_PER_MINUTE = '1000000';
const CHILD_STRIPE_KEY = 'sk_test_crash_bench';

export async function startCrashBench(): Promise<CrashBench> {
  const db = await freshDatabase();
  const dbUrl = db.schema ? `${db.url}?options=${encodeURIComponent(`-c search_path=${db.schema}`)}` : db.url;
  const sandbox = await startSandbox({ port: 0, webhookSecret: RIG_WEBHOOK_SECRET, webhookRetry: FAST_WEBHOOK_RETRY });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = childEnv(dbUrl, port, sandbox.url);

  const ctxs: Ctx[] = [];
  const { inProcessConfig, inProcessOptions } = inProcess(db, baseUrl, sandbox.url);
  let child: RunningProcess | undefined;
  const bench: CrashBench = {
    sandbox, baseUrl,
    get child() {
      return child;
    },
    async serve(opts = {}) {
      if (child && child.child.exitCode === null && child.child.signalCode === null) await child.stop();
      child = startPurseProcess(['serve'], { ...env, PURSE_TEST_CRASH_AT: opts.crashAt ?? '' });
      await child.waitFor(STARTED, START_WAIT_MS);
      return child;
    },
    async crashed() {
      const running = requireChild(child);
      const signal = await exitSignal(running);
      if (signal !== 'SIGKILL' || !running.output().includes(CRASH_MARKER)) {
        throw new Error(`expected death at a crash point, got ${signal}; output:\n${running.output()}`);
      }
    },
    async kill() {
      const running = requireChild(child);
      running.child.kill('SIGKILL');
      await exitSignal(running);
    },
    request: (method, path, opts = {}) => requestJson(baseUrl, method, path, opts),
    deliver: (event) => deliverSigned(baseUrl, event),
    verifyLedger: () => verifyLedgerByCli(dbUrl),
    async withPurse(work) {
      const purse = await createPurse(inProcessConfig(), { ...inProcessOptions(), jobs: false });
      try {
        return await work(purse);
      } finally {
        await purse.close();
      }
    },
    async openCtx(nowMs = Date.now) {
      const ctx = await openCtx(inProcessConfig(), { ...inProcessOptions(), nowMs });
      ctxs.push(ctx);
      return ctx;
    },
    async close() {
      if (child && child.child.exitCode === null && child.child.signalCode === null) await child.stop();
      for (const ctx of ctxs) await ctx.store.close();
      await sandbox.close();
      await db.drop();
    },
  };
  return bench;
}

/** The child's environment: a real `purse serve` on its own port against the bench's sandbox. */
function childEnv(dbUrl: string, port: number, sandboxUrl: string): Record<string, string> {
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    PURSE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: baseUrl,
    PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey, RATE_LIMIT_PER_MINUTE: CHILD_RATE_LIMIT_PER_MINUTE,
    STRIPE_SECRET_KEY: CHILD_STRIPE_KEY, STRIPE_API_URL: sandboxUrl, STRIPE_WEBHOOK_SECRET: RIG_WEBHOOK_SECRET, STRIPE_TIMEOUT_MS: '10000',
  };
}

/** The in-process view of the child's database: the same configuration as the child, without its port. */
function inProcess(db: Awaited<ReturnType<typeof freshDatabase>>, baseUrl: string, sandboxUrl: string) {
  const inProcessConfig = () => parseConfig({
    PURSE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: db.url, PUBLIC_URL: baseUrl, RATE_LIMIT_PER_MINUTE: CHILD_RATE_LIMIT_PER_MINUTE,
    STRIPE_SECRET_KEY: CHILD_STRIPE_KEY, STRIPE_API_URL: sandboxUrl, STRIPE_WEBHOOK_SECRET: RIG_WEBHOOK_SECRET,
  });
  const inProcessOptions = () => {
    const config = inProcessConfig();
    return { secrets: TEST_SECRETS, logStream: new PassThrough(), payments: gatewayFromConfig(config), ...(db.schema ? { store: { pgSchema: db.schema } } : {}) };
  };
  return { inProcessConfig, inProcessOptions };
}

/** One HTTP request to the child; a JSON body is parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
async function requestJson(baseUrl: string, method: string, path: string, opts: RequestOptions): Promise<{ status: number; body: any }> {
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(`${baseUrl}${path}`, {
    method, ...(payload !== undefined ? { body: payload } : {}),
    headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** A Stripe event delivered to the child, signed as Stripe signs it. */
async function deliverSigned(baseUrl: string, event: unknown): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(event);
  const res = await fetch(`${baseUrl}/v1/webhooks/stripe`, { method: 'POST', headers: signedDelivery(payload, Math.floor(Date.now() / 1000)), body: payload });
  return { status: res.status, body: await res.json() };
}

/** `purse ledger verify` as an operator runs it, in its own process. */
async function verifyLedgerByCli(dbUrl: string): Promise<{ code: number; stdout: string }> {
  const res = await purseCli(['ledger', 'verify'], { PURSE_ENV: 'test', DATABASE_URL: dbUrl, PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey });
  return { code: res.code, stdout: res.stdout + res.stderr };
}

function requireChild(child: RunningProcess | undefined): RunningProcess {
  if (!child) throw new Error('no purse serve started on this bench');
  return child;
}

function exitSignal(running: RunningProcess): Promise<NodeJS.Signals | null> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

/** Calls an in-process Purse (from `withPurse`) as a client would; throws unless it answers `status`. */
export async function injectExpecting(purse: Purse, status: number, method: 'GET' | 'POST', url: string, body: unknown, headers: Record<string, string>): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  const res = await purse.app.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
  if (res.statusCode !== status) throw new Error(`${method} ${url}: expected ${status}, got ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A tenant with a full tenant key, funded with `fundMajor` by an admin adjustment (in process, before any child runs). */
export async function setupBenchTenant(bench: CrashBench, fundMajor = 0, currency = 'BRL'): Promise<{ tenantId: string; tenantKey: string }> {
  const adminHeaders = { authorization: `Bearer ${TEST_SECRETS.adminKey}` };
  return bench.withPurse(async (purse) => {
    const tenant = await injectExpecting(purse, 201, 'POST', '/v1/admin/tenants', { name: 'Crash Co', currency }, adminHeaders);
    const key = await injectExpecting(purse, 201, 'POST', `/v1/admin/tenants/${tenant.id}/keys`, { scope: 'tenant' }, adminHeaders);
    if (fundMajor > 0) await injectExpecting(purse, 201, 'POST', `/v1/admin/tenants/${tenant.id}/adjustments`, { amount: fundMajor, reason: 'crash test funding' }, adminHeaders);
    return { tenantId: tenant.id, tenantKey: key.secret };
  });
}
