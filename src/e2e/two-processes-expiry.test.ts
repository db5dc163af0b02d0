import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, setupTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { serveProcessEnv } from '../testing/serve-env.ts';
import { purseCli, type RunningProcess, startPurseProcess } from '../testing/process.ts';

/**
 * Issue 21: two `purse serve` operating-system processes on one database (PostgreSQL, or one SQLite file)
 * both run the credit-expiry job over the same due blocks — started together, their first runs (10 s after
 * start) overlap. Each block must expire exactly once: one `credit_expiry:{blockId}` ledger transaction, one
 * `credit.expired` event, and the two processes' own counts of what they expired add up to the blocks.
 * (credits/credits-api.test.ts races two instances inside one process.)
 */
const TENANTS = 4;
const BLOCKS_PER_TENANT = 25;
const BLOCKS = TENANTS * BLOCKS_PER_TENANT;
const DAY_MS = 86_400_000;
const PAST_MS = 60_000;
const EXPIRED_WAIT_MS = 60_000;
const POLL_MS = 200;
const PROCESS_TESTS_TIMEOUT_MS = 180_000;

function serveEnv(databaseUrl: string): Promise<Record<string, string>> {
  return serveProcessEnv(databaseUrl, { RATE_LIMIT_PER_MINUTE: '1000000' });
}

/** What a process says it expired: the sum of its job runs' `expired` counts (logged when above zero). */
function expiredBy(proc: RunningProcess): number {
  return proc.stdout().split('\n').filter((line) => line.includes('credit blocks expired'))
    .reduce((sum, line) => sum + Number((JSON.parse(line) as { expired: number }).expired), 0);
}

describe('two purse serve processes run the credit-expiry job at once', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  let purse: TestPurse;
  const servers: RunningProcess[] = [];
  const blockIds: string[] = [];
  const tenantIds: string[] = [];

  beforeAll(async () => {
    purse = await startTestPurse();
    for (let t = 0; t < TENANTS; t += 1) {
      const tenant = await setupTenant(purse);
      tenantIds.push(tenant.tenantId);
      for (let i = 0; i < BLOCKS_PER_TENANT; i += 1) {
        const res = await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/credits`, {
          amount: '1.00', reason: `expiring ${i}`, expiresAt: new Date(purse.ctx.nowMs() + DAY_MS).toISOString(),
        });
        expect(res.status).toBe(201);
        blockIds.push(res.body.id);
      }
    }
    // The day passes: every block is due before either process starts.
    await purse.ctx.store.db.updateTable('credit_blocks').set({ expires_at_ms: BigInt(Date.now() - PAST_MS) }).where('id', 'in', blockIds).execute();
    const envs = [await serveEnv(purse.cliDatabaseUrl), await serveEnv(purse.cliDatabaseUrl)];
    servers.push(...envs.map((env) => startPurseProcess(['serve'], env)));
    await Promise.all(servers.map((s) => s.waitFor(/Purse is listening/)));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await purse?.close();
  });

  const db = () => purse.ctx.store.db;
  const stillActive = async () => (await db().selectFrom('credit_blocks').select('id').where('id', 'in', blockIds).where('state', '=', 'active').execute()).length;

  it(`expires each of ${BLOCKS} blocks exactly once: one ledger transaction, one event, counted once across both`, async () => {
    const deadline = Date.now() + EXPIRED_WAIT_MS;
    while ((await stillActive()) > 0) {
      if (Date.now() > deadline) throw new Error(`${await stillActive()} blocks still active; output:\n${servers.map((s) => s.output()).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    // SIGTERM waits for a job run in progress: after it, neither process can expire anything more.
    expect(await Promise.all(servers.map((s) => s.stop()))).toEqual([0, 0]);
    const expiries = await db().selectFrom('ledger_transactions').select(['reference', 'wallet_amount_minor']).where('kind', '=', 'credit_expiry').where('tenant_id', 'in', tenantIds).execute();
    expect(expiries.map((e) => e.reference).sort()).toEqual(blockIds.map((id) => `credit_expiry:${id}`).sort());
    expect(expiries.every((e) => BigInt(e.wallet_amount_minor) === -100n)).toBe(true);
    const events = await db().selectFrom('events').select('data').where('type', '=', 'credit.expired').where('tenant_id', 'in', tenantIds).execute();
    expect(events).toHaveLength(BLOCKS);
    expect(new Set(events.map((e) => JSON.stringify(e.data).match(/cb_[A-Za-z0-9_]+/)?.[0])).size).toBe(BLOCKS);
    const counted = servers.map(expiredBy);
    expect(counted[0]! + counted[1]!).toBe(BLOCKS);
    const rows = await db().selectFrom('credit_blocks').select(['state', 'remaining_minor']).where('id', 'in', blockIds).execute();
    expect(rows.every((r) => r.state === 'expired' && BigInt(r.remaining_minor) === 0n)).toBe(true);
    const env = { PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey, DATABASE_URL: purse.cliDatabaseUrl };
    expect(JSON.parse((await purseCli(['ledger', 'verify', '--json'], env)).stdout).ok).toBe(true);
  });
});
