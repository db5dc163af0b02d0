import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { expireCreditBlocks } from './end-credit-block.ts';

const CHILD = new URL('../testing/credits-crash-child.ts', import.meta.url).pathname;
// A child Purse loads the whole app through tsx; on a loaded machine that takes a while.
const CHILD_TIMEOUT_MS = 240_000;
const DAY_MS = 86_400_000;

let purse: TestPurse;
let tenant: TestTenant;
beforeAll(async () => {
  purse = await startTestPurse();
  tenant = await setupTenant(purse);
});
afterAll(async () => {
  try {
    await expectLedgerSound(purse);
  } finally {
    await purse?.close();
  }
});

/** Runs the child to its crash point; resolves with its output once it died by SIGKILL (rejects otherwise). */
function runToCrash(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DATABASE_URL: purse.cliDatabaseUrl, CRASH_NOW_MS: String(purse.ctx.nowMs()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  return new Promise((resolve, reject) => child.once('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(output) : reject(new Error(`child did not crash:\n${output}`)))));
}

describe('SIGKILL during credit-block work, then a restart', { timeout: CHILD_TIMEOUT_MS }, () => {
  it.each([['group-commit:before-commit'], ['group-commit:after-commit']])('a grant killed at %s lands exactly once when retried', async (point) => {
    const body = { amount: '3', reason: 'crash grant', reference: `crash-${point}` };
    await runToCrash({ CRASH_AT: point, CRASH_WORK: 'grant', CRASH_GRANT: JSON.stringify({ tenantId: tenant.tenantId, body }) });
    const retry = await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/credits`, body);
    expect(retry.status).toBe(point.endsWith('after-commit') ? 200 : 201);
    const grants = await purse.ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', '=', `credit_grant:${tenant.tenantId}:${body.reference}`).execute();
    expect(grants).toHaveLength(1);
  });

  it.each([['group-commit:before-commit@2'], ['group-commit:after-commit@2']])('the expiry job killed at %s expires each block exactly once after restart', async (at) => {
    const t = await setupTenant(purse);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/credits`, { amount: '1', reason: `e${i}`, expiresAt: new Date(purse.ctx.nowMs() + DAY_MS).toISOString() });
      ids.push(res.body.id);
    }
    const later = purse.ctx.nowMs() + 2 * DAY_MS;
    await runToCrash({ CRASH_AT: at, CRASH_WORK: 'expire', CRASH_NOW_MS: String(later) });
    const realNow = purse.ctx.nowMs;
    purse.ctx.nowMs = () => later;
    try {
      await expireCreditBlocks(purse.ctx);
    } finally {
      purse.ctx.nowMs = realNow;
    }
    const rows = await purse.ctx.store.db.selectFrom('credit_blocks').select(['state', 'remaining_minor']).where('tenant_id', '=', t.tenantId).execute();
    expect(rows.map((r) => [r.state, Number(r.remaining_minor)])).toEqual([['expired', 0], ['expired', 0], ['expired', 0]]);
    const expiries = await purse.ctx.store.db.selectFrom('ledger_transactions').select('reference').where('kind', '=', 'credit_expiry').where('tenant_id', '=', t.tenantId).execute();
    expect(expiries.map((e) => e.reference).sort()).toEqual(ids.map((id) => `credit_expiry:${id}`).sort());
    const events = await purse.ctx.store.db.selectFrom('events').select('data').where('type', '=', 'credit.expired').where('tenant_id', '=', t.tenantId).execute();
    expect(events).toHaveLength(3);
  });
});
