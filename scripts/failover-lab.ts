/**
 * The failover lab's load and checks (run by scripts/failover-lab.sh, which provides the two clusters).
 * Two Purse instances on one multi-host DATABASE_URL take usage debits, each with its own Idempotency-Key,
 * from FAILOVER_LAB_CLIENTS clients that retry as a real client does (same key, on 503 or a lost answer).
 * Mid-load the primary's processes are SIGKILLed and the standby promoted. Afterwards, on the promoted
 * node: every acknowledged debit is there exactly once, no other debit is, and `purse ledger verify` passes.
 */
import { type SpawnSyncReturns, execSync, spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import pg from 'pg';
import { type Purse, createPurse } from '../src/app.ts';
import { parseConfig } from '../src/config/config.ts';
import { TEST_SECRETS } from '../src/testing/harness.ts';

const CLIENTS = Number(process.env.FAILOVER_LAB_CLIENTS ?? 8);
const LOAD_BEFORE_KILL_MS = 3_000;
const LOAD_AFTER_RECOVERY_MS = 3_000;
const CLIENT_RETRY_WAIT_MS = 100;
const RECOVERY_LIMIT_MS = 60_000;
const adminHeaders = { authorization: `Bearer ${TEST_SECRETS.adminKey}`, 'content-type': 'application/json' };

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run scripts/failover-lab.sh)`);
  return value;
}

async function post(purse: Purse, url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- reads arbitrary JSON
  const res = await purse.app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}

function killPrimary(pid: number): void {
  const children = execSync(`ps -o pid= --ppid ${pid}`).toString().split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  for (const target of [pid, ...children]) {
    try { process.kill(target, 'SIGKILL'); } catch { /* already gone */ }
  }
}

function progress(message: string): void {
  process.stderr.write(`[lab] ${message}\n`);
}

/** Two instances on the multi-host URL, and a funded tenant with a key to debit it. */
async function setUp(): Promise<{ instances: Purse[]; tenant: { id: string }; key: { secret: string } }> {
  const config = parseConfig({ PURSE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: env('DATABASE_URL'), PUBLIC_URL: 'http://localhost:8080' });
  const quiet = process.env.FAILOVER_LAB_VERBOSE ? process.stderr : new Writable({ write: (_chunk, _enc, done) => done() });
  const instances = [await createPurse(config, { secrets: TEST_SECRETS, logStream: quiet }), await createPurse(config, { secrets: TEST_SECRETS, logStream: quiet })];
  const [first] = instances as [Purse, Purse];
  progress('two instances up');
  const tenant = (await post(first, '/v1/admin/tenants', { name: 'Failover Lab', currency: 'BRL' }, adminHeaders)).body;
  const key = (await post(first, `/v1/admin/tenants/${tenant.id}/keys`, { scope: 'tenant' }, adminHeaders)).body;
  await post(first, `/v1/admin/tenants/${tenant.id}/adjustments`, { amount: 1_000_000, reason: 'lab funding' }, adminHeaders);
  return { instances, tenant, key };
}

/** On the promoted node: the usage debits present (by reference) and whether `purse ledger verify` passes. */
async function readPromoted(tenantId: string): Promise<{ references: string[]; verify: SpawnSyncReturns<string> }> {
  const promoted = new pg.Client({ connectionString: env('FAILOVER_LAB_PROMOTED_URL') });
  await promoted.connect();
  const rows = await promoted.query<{ reference: string }>("select reference from ledger_transactions where kind = 'usage' and tenant_id = $1", [tenantId]);
  await promoted.end();
  const verify = spawnSync(process.execPath, ['bin/purse.js', 'ledger', 'verify'], { env: { ...process.env, DATABASE_URL: env('FAILOVER_LAB_PROMOTED_URL') }, encoding: 'utf8' });
  return { references: rows.rows.map((r) => r.reference), verify };
}

async function main(): Promise<void> {
  const { instances, tenant, key } = await setUp();
  const acked = new Set<string>();
  let answers503 = 0;
  // eslint-disable-next-line prefer-const -- set once, mid-load, and read by the clients before that
  let killedAtMs: number | undefined;
  let recoveredAtMs: number | undefined;
  let stopAtMs = Number.POSITIVE_INFINITY;
  const client = async (index: number): Promise<void> => {
    for (let n = 0; performance.now() < stopAtMs; n += 1) {
      const idempotencyKey = `lab-${index}-${n}`;
      const purse = instances[(index + n) % instances.length] as Purse;
      for (;;) {
        const res = await post(purse, '/v1/billing/usage', { amount: '0.01' }, { 'x-api-key': key.secret, 'idempotency-key': idempotencyKey, 'content-type': 'application/json' })
          .catch(() => ({ status: 0, body: undefined }));
        if (res.status === 201) break;
        if (res.status === 503) answers503 += 1;
        // A real client also waits out its rate limit (429) and retries with the same key.
        if (res.status === 429) { await new Promise((resolve) => setTimeout(resolve, CLIENT_RETRY_WAIT_MS)); continue; }
        if (killedAtMs === undefined || performance.now() - killedAtMs > RECOVERY_LIMIT_MS) throw new Error(`debit failed: ${res.status} ${JSON.stringify(res.body)}`);
        await new Promise((resolve) => setTimeout(resolve, CLIENT_RETRY_WAIT_MS));
      }
      acked.add(`usage:${tenant.id}:${idempotencyKey}`);
      if (killedAtMs !== undefined && recoveredAtMs === undefined) recoveredAtMs = performance.now();
      if (recoveredAtMs !== undefined && stopAtMs === Number.POSITIVE_INFINITY) stopAtMs = recoveredAtMs + LOAD_AFTER_RECOVERY_MS;
    }
  };
  const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  await new Promise((resolve) => setTimeout(resolve, LOAD_BEFORE_KILL_MS));
  const ackedBeforeKill = acked.size;
  progress(`${ackedBeforeKill} debits acknowledged; killing the primary`);
  killPrimary(Number(env('FAILOVER_LAB_PRIMARY_PID')));
  killedAtMs = performance.now();
  execSync(env('FAILOVER_LAB_PROMOTE'), { stdio: 'ignore' });
  const promotedAtMs = performance.now();
  progress('standby promoted');
  await load;
  progress(`load done: ${acked.size} acknowledged`);
  for (const purse of instances) await purse.close();

  const { references, verify } = await readPromoted(tenant.id);
  const present = new Set(references);
  const missing = [...acked].filter((ref) => !present.has(ref));
  const extra = references.length - acked.size;
  const result = {
    synchronousReplication: process.env.FAILOVER_LAB_SYNC === '1',
    clients: CLIENTS,
    ackedBeforeKill,
    acked: acked.size,
    ledgerRows: references.length,
    missingAcknowledged: missing.length,
    unacknowledgedExtra: extra,
    answers503,
    promoteMs: Math.round(promotedAtMs - (killedAtMs ?? 0)),
    timeToWritableMs: Math.round((recoveredAtMs ?? Number.NaN) - (killedAtMs ?? 0)),
    ledgerVerify: verify.status === 0 ? 'clean' : `FAILED: ${verify.stdout}${verify.stderr}`,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (missing.length > 0 || extra !== 0 || verify.status !== 0) process.exit(1);
}

await main();
