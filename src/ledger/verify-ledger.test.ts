import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, setupTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { systemAccountId, walletAccountId } from './accounts.ts';
import { recordTransaction } from '../testing/record-transaction.ts';
import { type LedgerReport, verifyLedger } from './verify-ledger.ts';

const run = promisify(execFile);
const CLI_TIMEOUT_MS = 20_000;

let purse: TestPurse;
let acme: TestTenant;

/** A small but varied ledger: credits, debits, an overdraft, a capture, a transaction with no wallet. */
beforeAll(async () => {
  purse = await startTestPurse();
  acme = await setupTenant(purse);
  const usd = await setupTenant(purse, 'USD');
  await fundWallet(purse, acme.tenantId, 20);
  await fundWallet(purse, usd.tenantId, '7.25');
  await admin(purse, 'POST', `/v1/admin/tenants/${usd.tenantId}/adjustments`, { amount: -10, reason: 'fee', allowNegative: true });
  const wallet = walletAccountId(acme.tenantId);
  const revenue = systemAccountId('usage_revenue', 'BRL');
  await recordTransaction(purse.ctx, { reference: 'scenario:usage', kind: 'usage', tenantId: acme.tenantId, numberId: acme.numberId, currency: 'BRL', postings: [{ accountId: wallet, amountMinor: -150n }, { accountId: revenue, amountMinor: 150n }], overdraft: 'forbid' });
  await purse.ctx.store.db.updateTable('wallets').set({ held_minor: 500n }).where('tenant_id', '=', acme.tenantId).execute();
  await recordTransaction(purse.ctx, { reference: 'scenario:capture', kind: 'hold_capture', tenantId: acme.tenantId, currency: 'BRL', heldDeltaMinor: -500n, postings: [{ accountId: wallet, amountMinor: -400n }, { accountId: revenue, amountMinor: 400n }], overdraft: 'forbid' });
  await recordTransaction(purse.ctx, { reference: 'scenario:release', kind: 'dispute_release', tenantId: acme.tenantId, currency: 'BRL', postings: [{ accountId: systemAccountId('disputes', 'BRL'), amountMinor: -1n }, { accountId: systemAccountId('stripe_clearing', 'BRL'), amountMinor: 1n }], overdraft: 'allow' });
});

afterAll(async () => {
  await purse?.close();
});

function failedChecks(report: LedgerReport): string[] {
  return report.checks.filter((c) => !c.ok).map((c) => c.name);
}

/** Breaks the store on purpose, runs `body`, then puts it back so the next case starts clean. */
async function whileCorrupted(breakIt: string, repair: string, body: () => Promise<void>): Promise<void> {
  const db = purse.ctx.store.db;
  await sql.raw(breakIt).execute(db);
  try {
    await body();
  } finally {
    await sql.raw(repair).execute(db);
  }
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  const env = { ...process.env, DATABASE_URL: purse.cliDatabaseUrl, PURSE_ENV: 'test', LOG_LEVEL: 'silent', PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey };
  try {
    const { stdout } = await run(process.execPath, ['bin/purse.js', ...args], { env, timeout: CLI_TIMEOUT_MS });
    return { code: 0, stdout };
  } catch (err) {
    const failed = err as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('verifyLedger', () => {
  it('holds every invariant after a varied scenario', async () => {
    const report = await verifyLedger(purse.ctx.store.db);
    expect(failedChecks(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toContain('wallet_balances_match_postings');
  });

  const corruptions: Array<[string, string, string, string]> = [
    ['wallet_balances_match_postings', 'a cached wallet balance is off by one', `UPDATE wallets SET balance_minor = balance_minor + 1`, `UPDATE wallets SET balance_minor = balance_minor - 1`],
    ['transactions_balance_per_currency', 'a posting amount changed', `UPDATE ledger_postings SET amount_minor = amount_minor + 7 WHERE account_id LIKE 'system:usage_revenue:%'`, `UPDATE ledger_postings SET amount_minor = amount_minor - 7 WHERE account_id LIKE 'system:usage_revenue:%'`],
    ['wallet_amounts_match_postings', "a transaction's wallet amount disagrees with its postings", `UPDATE ledger_transactions SET wallet_amount_minor = wallet_amount_minor + 1 WHERE reference = 'scenario:usage'`, `UPDATE ledger_transactions SET wallet_amount_minor = wallet_amount_minor - 1 WHERE reference = 'scenario:usage'`],
    ['wallet_balance_after_chains', 'a balance after is rewritten', `UPDATE ledger_transactions SET wallet_balance_after_minor = wallet_balance_after_minor + 3 WHERE reference = 'scenario:usage'`, `UPDATE ledger_transactions SET wallet_balance_after_minor = wallet_balance_after_minor - 3 WHERE reference = 'scenario:usage'`],
    ['posting_currency_matches_account', 'a posting changes currency', `UPDATE ledger_postings SET currency = 'EUR' WHERE account_id LIKE 'system:disputes:%'`, `UPDATE ledger_postings SET currency = 'BRL' WHERE account_id LIKE 'system:disputes:%'`],
    ['wallet_held_not_negative', 'held goes negative', `UPDATE wallets SET held_minor = -1`, `UPDATE wallets SET held_minor = 0`],
  ];

  it.each(corruptions)('fails %s when %s', async (check, _what, breakIt, repair) => {
    await whileCorrupted(breakIt, repair, async () => {
      const report = await verifyLedger(purse.ctx.store.db);
      expect(report.ok).toBe(false);
      expect(failedChecks(report)).toContain(check);
      expect(report.checks.find((c) => c.name === check)?.detail).toBeTruthy();
    });
    expect((await verifyLedger(purse.ctx.store.db)).ok).toBe(true);
  });

  it("names the wallet whose cached balance drifted, with both numbers", async () => {
    await whileCorrupted(
      `UPDATE wallets SET balance_minor = balance_minor + 1 WHERE tenant_id = '${acme.tenantId}'`,
      `UPDATE wallets SET balance_minor = balance_minor - 1 WHERE tenant_id = '${acme.tenantId}'`,
      async () => {
        const report = await verifyLedger(purse.ctx.store.db);
        expect(failedChecks(report)).toEqual(['wallet_balances_match_postings']);
        expect(report.checks.find((c) => !c.ok)?.detail).toBe(`wallet of ${acme.tenantId}: cached 1451, postings 1450 (minor units)`);
      },
    );
  });

  it("runs a capability's extra checks and fails on their problems", async () => {
    const report = await verifyLedger(purse.ctx.store.db, [{ name: 'held_matches_holds', findProblems: async () => ['wallet of ten_X: held 5, holds 4'] }]);
    expect(report.ok).toBe(false);
    expect(report.checks.at(-1)).toEqual({ name: 'held_matches_holds', ok: false, detail: 'wallet of ten_X: held 5, holds 4' });
  });
});

describe('purse ledger verify', () => {
  it('exits 0 and ticks every check on a sound ledger', async () => {
    const { code, stdout } = await cli('ledger', 'verify');
    expect(code).toBe(0);
    expect(stdout).toContain('✓ wallet_balances_match_postings');
    expect(stdout).not.toContain('✗');
  });

  it('exits 1 and names the broken check when a wallet balance is corrupted', async () => {
    await whileCorrupted(`UPDATE wallets SET balance_minor = balance_minor + 1`, `UPDATE wallets SET balance_minor = balance_minor - 1`, async () => {
      const { code, stdout } = await cli('ledger', 'verify');
      expect(code).toBe(1);
      expect(stdout).toContain(`✗ wallet_balances_match_postings — wallet of ${acme.tenantId}`);
      const json = await cli('ledger', 'verify', '--json');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, checks: expect.arrayContaining([expect.objectContaining({ name: 'wallet_balances_match_postings', ok: false })]) });
    });
  });

  it('exits with a usage error for an unknown ledger action', async () => {
    expect((await cli('ledger', 'balance')).code).toBe(64);
  });
});
