import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Purse, createPurse } from '../app.ts';
import { parseConfig } from '../config/config.ts';
import { TEST_SECRETS, testDatabaseKind } from '../testing/harness.ts';
import { type PgLab, pgBinDir, startPgLab } from '../testing/pg-lab.ts';
import { purseCli } from '../testing/process.ts';
import { REPLICA_CHECK_INTERVAL_MS } from './read-replica.ts';

/**
 * Reads on a real streaming replica (issue 25), from a lab of our own (a primary and a standby built with
 * initdb + pg_basebackup on loopback ports). Two instances share it: one with a loose lag bound, one with a
 * tight one. The standby is made to lag with recovery_min_apply_delay, or stopped with pg_wal_replay_pause().
 */
const LAB_PRIMARY_PORT = 55434;
const LAB_STANDBY_PORT = 55435;
const LOOSE_LAG_MS = 60_000;
const TIGHT_LAG_MS = 300;
const APPLY_DELAY_MS = 30_000;
const WAIT_LIMIT_MS = 15_000;

// The PostgreSQL run builds its own lab; with PURSE_REQUIRE_SERVICES (CI) missing server binaries fail, not skip.
const runLab = testDatabaseKind() === 'postgres' && (pgBinDir() !== undefined || process.env.PURSE_REQUIRE_SERVICES === '1');

async function request(purse: Purse, method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- reads arbitrary JSON
  const res = await purse.app.inject({ method, url, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
  return { status: res.statusCode, body: res.json() };
}

/** Waits, by checking the replica again, until `ready` holds (bounded: a test never hangs). */
async function until(purse: Purse, ready: () => boolean | Promise<boolean>): Promise<void> {
  const startedMs = Date.now();
  while (!(await ready())) {
    if (Date.now() - startedMs > WAIT_LIMIT_MS) throw new Error(`not within ${WAIT_LIMIT_MS} ms: ${JSON.stringify(purse.ctx.store.replica?.state())}`);
    await purse.ctx.store.replica?.check();
    await new Promise((resolve) => setTimeout(resolve, REPLICA_CHECK_INTERVAL_MS));
  }
}

// One lab for the whole file: the tests run in order and the later ones read what the earlier ones wrote.
let lab: PgLab;
let loose: Purse;
let tight: Purse;
let tenantKey: Record<string, string>;
const admin = { authorization: `Bearer ${TEST_SECRETS.adminKey}` };

const open = (maxLagMs: number) => createPurse(parseConfig({
  PURSE_ENV: 'test', LOG_LEVEL: 'warn', PUBLIC_URL: 'http://localhost:8080',
  DATABASE_URL: lab.primaryUrl('purse'), DATABASE_READ_URL: lab.standbyUrl('purse'), READ_REPLICA_MAX_LAG_MS: String(maxLagMs),
}), { secrets: TEST_SECRETS, logStream: new PassThrough(), jobs: false });
const debit = async (purse: Purse, key: string) => {
  expect((await request(purse, 'POST', '/v1/billing/usage', { ...tenantKey, 'idempotency-key': key }, { amount: '1.00', description: key })).status).toBe(201);
};
const historyHas = async (purse: Purse, key: string) => {
  const page = await request(purse, 'GET', '/v1/billing/transactions?limit=100', tenantKey);
  return page.body.data.some((t: { reference: string }) => t.reference.endsWith(`:${key}`));
};
const setApplyDelay = (ms: number) => {
  lab.psql('standby', `alter system set recovery_min_apply_delay = '${ms}ms'`);
  lab.psql('standby', 'select pg_reload_conf()');
};

beforeAll(async () => {
  if (!runLab) return;
  lab = startPgLab({ primaryPort: LAB_PRIMARY_PORT, standbyPort: LAB_STANDBY_PORT, synchronous: false, databases: ['purse'] });
  loose = await open(LOOSE_LAG_MS);
  tight = await open(TIGHT_LAG_MS);
  const tenant = (await request(loose, 'POST', '/v1/admin/tenants', admin, { name: 'Replica Reads', currency: 'BRL' })).body;
  const key = (await request(loose, 'POST', `/v1/admin/tenants/${tenant.id}/keys`, admin, { scope: 'tenant' })).body;
  tenantKey = { 'x-api-key': key.secret };
  expect((await request(loose, 'POST', `/v1/admin/tenants/${tenant.id}/adjustments`, admin, { amount: 1_000, reason: 'funding' })).status).toBe(201);
  await until(loose, () => loose.ctx.store.replica?.state().used === true);
}, 120_000);

afterAll(async () => {
  await loose?.close();
  await tight?.close();
  lab?.stop();
});

describe.skipIf(!runLab)('reads on a streaming replica within a lag bound [postgres-only]', () => {
  it('sends a history read to the replica (proved by a lagging one) while the balance comes from the primary', async () => {
    const port = await sql<{ port: number }>`select inet_server_port() as port`.execute(loose.ctx.store.reader());
    expect(port.rows[0]?.port).toBe(LAB_STANDBY_PORT);
    setApplyDelay(APPLY_DELAY_MS);
    await debit(loose, 'while-lagging');
    expect(loose.ctx.store.replica?.state().used).toBe(true);
    // The standby has the debit's WAL but holds it back for 30 s: a history read there cannot see it yet.
    expect(await historyHas(loose, 'while-lagging')).toBe(false);
    const wallet = await request(loose, 'GET', '/v1/billing/wallet', tenantKey);
    expect(wallet.body.balance).toBe(999);
  });

  it('skips a replica further behind than the bound: the history read goes to the primary and sees the debit', async () => {
    await until(tight, () => tight.ctx.store.replica?.state().used === false);
    expect(tight.ctx.store.replica?.state().skipped).toBe(`more than ${TIGHT_LAG_MS} ms behind`);
    expect(await historyHas(tight, 'while-lagging')).toBe(true);
    const port = await sql<{ port: number }>`select inet_server_port() as port`.execute(tight.ctx.store.reader());
    expect(port.rows[0]?.port).toBe(LAB_PRIMARY_PORT);
  });
});

describe.skipIf(!runLab)('a paused replica, as reads and purse doctor see it [postgres-only]', () => {
  it('skips a replica whose replay is paused with pg_wal_replay_pause(), however loose the bound, and uses it again once resumed', async () => {
    setApplyDelay(0);
    await until(loose, () => historyHas(loose, 'while-lagging'));
    lab.psql('standby', 'select pg_wal_replay_pause()');
    await until(loose, () => loose.ctx.store.replica?.state().paused === true);
    expect(loose.ctx.store.replica?.state()).toMatchObject({ used: false, skipped: 'replay is paused' });
    await debit(loose, 'while-paused');
    expect(await historyHas(loose, 'while-paused')).toBe(true);
    lab.psql('standby', 'select pg_wal_replay_resume()');
    await until(loose, () => loose.ctx.store.replica?.state().used === true);
    expect(await historyHas(loose, 'while-paused')).toBe(true);
  });

  it('is what purse doctor reports: the streaming standby with its lag, and the read replica in use or skipped', async () => {
    const env = { DATABASE_URL: lab.primaryUrl('purse'), DATABASE_READ_URL: lab.standbyUrl('purse'), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1:1' };
    const replication = async () => {
      const report = JSON.parse((await purseCli(['doctor', '--json'], env)).stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
      return report.checks.find((c) => c.name === 'replication');
    };
    const healthy = await replication();
    expect(healthy?.ok).toBe(true);
    expect(healthy?.detail).toMatch(/standby standby streaming \(async\), replay lag .*; read replica postgres:\/\/postgres@127\.0\.0\.1:55435\/purse: in use, at most \d+ ms behind/);
    lab.psql('standby', 'select pg_wal_replay_pause()');
    try {
      const paused = await replication();
      expect(paused).toMatchObject({ ok: false });
      expect(paused?.detail).toContain('skipped (replay is paused)');
    } finally {
      lab.psql('standby', 'select pg_wal_replay_resume()');
    }
  });
});
