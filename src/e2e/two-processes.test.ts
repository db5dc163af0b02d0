import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, setupTenant, type TestTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { serveProcessEnv } from '../testing/serve-env.ts';
import { purseCli, type RunningProcess, startPurseProcess } from '../testing/process.ts';

/**
 * Two `purse serve` operating-system processes on one PostgreSQL database, as production runs them: two
 * Node processes, two pools, two commit batchers, two job schedulers; only the database orders their writes.
 * (wallet/two-instances.test.ts races two instances inside one process.)
 */
const DEBITS = 160;
const FUNDS_MAJOR = 100;
const REPLAYED = 20;
const PROCESS_TESTS_TIMEOUT_MS = 180_000;

function serveEnv(databaseUrl: string): Promise<Record<string, string>> {
  return serveProcessEnv(databaseUrl, { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
}

function debit(baseUrl: string, tenant: TestTenant, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return fetch(`${baseUrl}/v1/billing/usage`, {
    method: 'POST',
    headers: { 'x-api-key': tenant.tenantKey, 'idempotency-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '1', description: 'two processes' }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
}

describe.runIf(testDatabaseKind() === 'postgres')('two purse serve processes on one PostgreSQL [postgres-only]', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  let purse: TestPurse;
  const servers: Array<{ proc: RunningProcess; url: string }> = [];

  beforeAll(async () => {
    purse = await startTestPurse();
    for (let i = 0; i < 2; i += 1) {
      const env = await serveEnv(purse.cliDatabaseUrl);
      const proc = startPurseProcess(['serve'], env);
      servers.push({ proc, url: env.PUBLIC_URL! });
    }
    await Promise.all(servers.map((s) => s.proc.waitFor(/Purse is listening/)));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.proc.stop()));
    await purse?.close();
  });

  it(`${DEBITS} debits split over both never overdraw, a retry on the other process replays, and the ledger verifies`, async () => {
    const tenant = await setupTenant(purse);
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: String(FUNDS_MAJOR), reason: 'two processes' })).status).toBe(201);
    expect(servers[0]!.proc.child.pid).not.toBe(servers[1]!.proc.child.pid);
    const first = await Promise.all(Array.from({ length: DEBITS }, (_, i) => debit(servers[i % 2]!.url, tenant, `two-proc-${i}`)));
    expect(first.filter((r) => r.status !== 201 && r.status !== 402).map((r) => [r.status, r.body])).toEqual([]);
    const acknowledged = first.filter((r) => r.status === 201).length;
    expect(acknowledged).toBe(FUNDS_MAJOR);
    // The same Idempotency-Key sent to the other process: 200 with the first transaction for a debit that
    // was made (moving nothing), 402 again for one that was refused (the wallet is empty now).
    const replays = await Promise.all(Array.from({ length: REPLAYED }, (_, i) => debit(servers[(i + 1) % 2]!.url, tenant, `two-proc-${i}`)));
    const outcome = (r: { status: number; body: Record<string, unknown> }) => (r.status === 402 ? 'refused' : (r.body.transaction as { id: string }).id);
    expect(replays.map((r) => r.status)).toEqual(first.slice(0, REPLAYED).map((r) => (r.status === 201 ? 200 : 402)));
    expect(replays.map(outcome)).toEqual(first.slice(0, REPLAYED).map(outcome));
    const wallet = await fetch(`${servers[1]!.url}/v1/billing/wallet`, { headers: { 'x-api-key': tenant.tenantKey } }).then((r) => r.json() as Promise<{ balance: number }>);
    expect(wallet.balance).toBe(0);
    const verify = await purseCli(['ledger', 'verify', '--json'], { PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey, DATABASE_URL: purse.cliDatabaseUrl });
    expect(JSON.parse(verify.stdout).ok).toBe(true);
  });

  it('both stop cleanly on SIGTERM', async () => {
    for (const s of servers) s.proc.child.kill('SIGTERM');
    expect(await Promise.all(servers.map((s) => s.proc.stop()))).toEqual([0, 0]);
  });
});
