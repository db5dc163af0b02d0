import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, setupTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, freshDatabase, startTestPurse } from '../testing/harness.ts';
import { freePort, purseCli, startPurseProcess } from '../testing/process.ts';
import { serveProcessEnv } from '../testing/serve-env.ts';

// Each start-up failure must end the process quickly: well under the time a supervisor waits. Generous,
// because loading the server on a loaded CI machine alone can take several seconds.
const FAILED_START_MS_MAX = 30_000;
// SHUTDOWN_GRACE_MS (9 s) plus the time a loaded machine needs to tear a process down.
const STOP_MS_MAX = 10_000;
const IN_FLIGHT_DEBITS = 24;
// Before the fix, half of all Ctrl-Cs on `npm start` exited 1 at once: three tries catch it 7 times in 8.
const CTRL_C_TRIES = 3;
const SECRETS = { PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey };

function servingEnv(databaseUrl: string): Promise<Record<string, string>> {
  return serveProcessEnv(databaseUrl);
}

async function timedCli(args: string[], env: Record<string, string>) {
  const started = Date.now();
  const result = await purseCli(args, env);
  return { ...result, ms: Date.now() - started };
}

describe('purse serve start-up failures: one line naming what and where, a non-zero exit within seconds', () => {
  let sqliteUrl: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    sqliteUrl = db.url;
    drop = db.drop;
  });
  afterAll(() => drop());

  it('names the host and port when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const env = { ...(await servingEnv(sqliteUrl)), PORT: String(port) };
      const res = await timedCli(['serve'], env);
      expect(res.code).not.toBe(0);
      expect(res.stderr.trim()).toBe(`purse: cannot listen on 127.0.0.1:${port} (HOST, PORT): address already in use`);
      expect(res.ms).toBeLessThan(FAILED_START_MS_MAX);
    } finally {
      blocker.close();
    }
  });

  it('names PostgreSQL and where when the database is unreachable', async () => {
    const deadPort = await freePort();
    const env = await servingEnv(`postgres://purse:secret-password@127.0.0.1:${deadPort}/purse`);
    const res = await timedCli(['serve'], env);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim()).toBe(`purse: cannot open PostgreSQL at 127.0.0.1:${deadPort}/purse (DATABASE_URL): connection refused`);
    expect(res.stderr).not.toContain('secret-password');
    expect(res.ms).toBeLessThan(FAILED_START_MS_MAX);
  });

  it('names Redis and where when Redis is unreachable', async () => {
    const deadPort = await freePort();
    const env = { ...(await servingEnv(sqliteUrl)), REDIS_URL: `redis://:pw-secret@127.0.0.1:${deadPort}` };
    const res = await timedCli(['serve'], env);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim()).toBe(`purse: cannot reach Redis at 127.0.0.1:${deadPort} (REDIS_URL): connection refused`);
    expect(res.stderr).not.toContain('pw-secret');
    expect(res.ms).toBeLessThan(FAILED_START_MS_MAX);
  });

  it('purse reconcile names the Stripe it cannot reach instead of printing a stack trace', async () => {
    const deadPort = await freePort();
    const res = await timedCli(['reconcile'], { ...SECRETS, DATABASE_URL: sqliteUrl, STRIPE_SANDBOX_PORT: String(deadPort), LOG_LEVEL: 'warn' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`purse: cannot reach the built-in Stripe sandbox at 127.0.0.1:${deadPort} (STRIPE_SANDBOX_PORT; it runs inside purse serve): connection refused`);
  });

  it('a CLI command names the database it cannot open', async () => {
    const deadPort = await freePort();
    const res = await timedCli(['tenants', 'list'], { ...SECRETS, DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPort}/x` });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`purse: cannot open PostgreSQL at 127.0.0.1:${deadPort}/x (DATABASE_URL): connection refused`);
  });
});

// One Purse's database for every signal describe below; each test starts its own `purse serve` process on it.
let purse: TestPurse;
beforeAll(async () => {
  purse = await startTestPurse();
});
afterAll(() => purse.close());

describe('purse serve stops cleanly on a signal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: exits 0 within the grace period', async (signal) => {
    const proc = startPurseProcess(['serve'], await servingEnv(purse.cliDatabaseUrl));
    await proc.waitFor(/Purse is listening/);
    const started = Date.now();
    proc.child.kill(signal);
    expect(await proc.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(STOP_MS_MAX);
    const stopped = proc.output().split('\n').find((line) => line.includes('"msg":"stopped"'));
    // The line says how long each step of the close took, so a shutdown that overruns can be read from the log.
    expect(Object.keys(JSON.parse(stopped ?? '{}').stepsMs ?? {})).toEqual(['jobs', 'webhook sends', 'http', 'rate limiter', 'store']);
  });

  it('SIGTERM to `npm start` reaches node: the server stops and its port closes', async () => {
    const env = await servingEnv(purse.cliDatabaseUrl);
    const proc = startPurseProcess([], env, { npmStart: true });
    await proc.waitFor(/Purse is listening/);
    proc.child.kill('SIGTERM');
    await proc.stop();
    expect(proc.output()).toMatch(/"msg":"stopped"/);
    await expect(fetch(`${env.PUBLIC_URL}/healthz`)).rejects.toThrow();
  });
});

describe('`npm start`: Ctrl-C and its stdout', () => {
  it('Ctrl-C on `npm start` (SIGINT to the whole process group, which npm forwards again) exits 0 and keeps the checkout the sandbox just opened', async () => {
    const tenant = await setupTenant(purse);
    for (let attempt = 0; attempt < CTRL_C_TRIES; attempt += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), 'purse-ctrl-c-'));
      const env: Record<string, string> = { ...(await servingEnv(purse.cliDatabaseUrl)), PURSE_DATA_DIR: dataDir };
      const proc = startPurseProcess([], env, { npmStart: true, ownGroup: true });
      await proc.waitFor(/Purse is listening/);
      const res = await fetch(`${env.PUBLIC_URL}/v1/billing/checkout`, {
        method: 'POST',
        headers: { 'x-api-key': tenant.tenantKey, 'content-type': 'application/json', 'idempotency-key': `ctrl-c-${attempt}` },
        body: JSON.stringify({ purpose: 'wallet_topup', amount: '20' }),
      });
      expect(res.status).toBe(200);
      const sessionId = ((await res.json()) as { url: string }).url.match(/cs_\w+/)?.[0];
      expect(sessionId).toBeDefined();
      process.kill(-proc.child.pid!, 'SIGINT');
      const code = await proc.stop();
      await proc.closed();
      expect(code).toBe(0);
      expect(proc.output()).toMatch(/"msg":"stopped"/);
      expect(readFileSync(join(dataDir, 'sandbox-state.json'), 'utf8')).toContain(sessionId!);
    }
  });

  it('`npm start` writes only JSON lines to stdout, and an authenticated request\'s lines name its tenant and key', async () => {
    const tenant = await setupTenant(purse);
    const env = await servingEnv(purse.cliDatabaseUrl);
    const proc = startPurseProcess([], env, { npmStart: true });
    await proc.waitFor(/Purse is listening/);
    const res = await fetch(`${env.PUBLIC_URL}/v1/billing/wallet`, { headers: { 'x-api-key': tenant.tenantKey } });
    expect(res.status).toBe(200);
    await proc.waitFor(/"keyId":"[^"]+"[^\n]*"msg":"request completed"/);
    proc.child.kill('SIGTERM');
    expect(await proc.stop()).toBe(0);
    const lines = proc.stdout().split('\n').filter((line) => line !== '');
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a plain-text line on stdout: ${line}`);
      }
    });
    expect(parsed.find((l) => l.msg === 'request completed' && l.tenantId)).toMatchObject({ tenantId: tenant.tenantId, keyId: tenant.tenantKeyId });
    expect(parsed.some((l) => l.msg === 'Purse is listening')).toBe(true);
    expect(proc.stdout()).not.toContain(tenant.tenantKey);
  });
});

describe('purse serve drains a burst of debits on SIGTERM', () => {
  it('SIGTERM during a burst of debits: every acknowledged debit is committed, nothing else is', async () => {
    const tenant = await setupTenant(purse);
    const credit = await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '100', reason: 'test funds' });
    expect(credit.status).toBe(201);
    const env = await servingEnv(purse.cliDatabaseUrl);
    const proc = startPurseProcess(['serve'], env);
    await proc.waitFor(/Purse is listening/);
    const debit = (i: number) =>
      fetch(`${env.PUBLIC_URL}/v1/billing/usage`, {
        method: 'POST',
        headers: { 'x-api-key': tenant.tenantKey, 'idempotency-key': `drain-${i}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: '1', description: 'drain test' }),
      }).then((res) => res.status, () => 'network error' as const);
    const statuses = Array.from({ length: IN_FLIGHT_DEBITS }, (_, i) => debit(i));
    proc.child.kill('SIGTERM');
    const settled = await Promise.all(statuses);
    const exitCode = await proc.stop();
    // On failure, say what each request got and what the process printed while it stopped.
    const seen = `statuses ${JSON.stringify(settled)}; output:\n${proc.output().split('\n').slice(-15).join('\n')}`;
    expect(exitCode, seen).toBe(0);
    const acknowledged = settled.filter((s) => s === 201).length;
    // Anything else is a refusal (503 while closing, or no connection), never a half-done debit.
    expect(settled.every((s) => s === 201 || s === 503 || s === 'network error'), seen).toBe(true);
    const wallet = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/wallet');
    expect(wallet.body.balance, seen).toBe(100 - acknowledged);
    const verify = await purseCli(['ledger', 'verify', '--json'], { ...SECRETS, DATABASE_URL: purse.cliDatabaseUrl });
    expect(JSON.parse(verify.stdout).ok).toBe(true);
  });
});
