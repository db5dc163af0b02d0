import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/harness.ts';
import { freePort, purseCli, startPurseProcess } from '../testing/process.ts';

// Every case spawns `purse` several times; a loaded CI machine needs seconds per process.
const PROCESS_TESTS_TIMEOUT_MS = 120_000;
const SECRETS = { PURSE_ADMIN_KEY: 'pa_cli_admin_key_0123456789abcdef', PURSE_MASTER_KEY: 'cli-master-key-0123456789abcdef0123456789' };

// The CLI is exercised on SQLite: it is the same service code the HTTP tests run on both databases.
// One database for the three `purse CLI: …` describes below, as the commands would share it in real use.
let env: Record<string, string>;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabaseSqlite();
  env = { DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...SECRETS };
  drop = db.drop;
});
afterAll(() => drop());

describe('purse CLI: tenants, numbers, keys and adjustments', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  it('creates a tenant, a number and keys, printing JSON with --json, then revokes a key', async () => {
    const tenant = await purseCli(['tenants', 'create', '--name', 'acme', '--currency', 'BRL', '--json'], env);
    expect(tenant.code).toBe(0);
    const t = JSON.parse(tenant.stdout);
    expect(t).toMatchObject({ name: 'acme', currency: 'BRL', status: 'active' });

    const number = JSON.parse((await purseCli(['numbers', 'create', '--tenant', t.id, '--name', 'line-1', '--json'], env)).stdout);
    expect(number.tenantId).toBe(t.id);

    const key = JSON.parse((await purseCli(['keys', 'create', '--tenant', t.id, '--scope', 'number', '--number', number.id, '--json'], env)).stdout);
    expect(key).toMatchObject({ scope: 'number', numberId: number.id, permissions: ['usage:write'] });
    expect(key.secret).toMatch(/^ps_/);

    const listed = JSON.parse((await purseCli(['keys', 'list', '--tenant', t.id, '--json'], env)).stdout);
    expect(listed.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect(JSON.stringify(listed)).not.toContain(key.secret);

    const revoked = JSON.parse((await purseCli(['keys', 'revoke', key.id, '--json'], env)).stdout);
    expect(revoked.revokedAt).not.toBeNull();
  });

  it('adjusts a wallet by hand once per reference, refuses to overdraw it, and shows, disables and enables a tenant', async () => {
    const t = JSON.parse((await purseCli(['tenants', 'create', '--name', 'acme', '--currency', 'BRL', '--json'], env)).stdout);
    const credit = await purseCli(['adjust', '--tenant', t.id, '--amount', '10.50', '--reason', 'goodwill', '--reference', 'ticket-1', '--json'], env);
    expect(credit.code).toBe(0);
    const credited = JSON.parse(credit.stdout);
    expect(credited).toMatchObject({ transaction: { kind: 'adjustment', amount: 10.5 }, wallet: { balance: 10.5, available: 10.5 } });
    const replay = JSON.parse((await purseCli(['adjust', '--tenant', t.id, '--amount', '10.50', '--reason', 'goodwill', '--reference', 'ticket-1', '--json'], env)).stdout);
    expect(replay).toMatchObject({ transaction: { id: credited.transaction.id }, wallet: { balance: 10.5 } });
    const debit = await purseCli(['adjust', '--tenant', t.id, '--amount', '-5', '--reason', 'correction'], env);
    expect(debit.stdout).toMatch(/^adjusted by -5 BRL \(txn_\w+\)\nbalance 5\.5, held 0, available 5\.5 BRL\n$/);
    const overdraw = await purseCli(['adjust', '--tenant', t.id, '--amount', '-100', '--reason', 'too much'], env);
    expect(overdraw.code).toBe(1);
    expect(JSON.parse(overdraw.stderr).code).toBe('INSUFFICIENT_FUNDS');

    expect(JSON.parse((await purseCli(['tenants', 'disable', t.id, '--json'], env)).stdout).status).toBe('disabled');
    expect(JSON.parse((await purseCli(['tenants', 'get', t.id, '--json'], env)).stdout).status).toBe('disabled');
    expect(JSON.parse((await purseCli(['tenants', 'enable', t.id, '--json'], env)).stdout).status).toBe('active');
  });
});

describe('purse CLI: credits and the billing page link', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  it('grants credit once per reference, lists it, refuses a past expiry, voids it, and ledger verify checks the blocks', async () => {
    const t = JSON.parse((await purseCli(['tenants', 'create', '--name', 'acme', '--currency', 'BRL', '--json'], env)).stdout);
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const grant = ['credits', 'grant', '--tenant', t.id, '--amount', '5', '--reason', 'welcome', '--expires-at', expiresAt, '--reference', 'w-1', '--json'];
    const block = JSON.parse((await purseCli(grant, env)).stdout);
    expect(block).toMatchObject({ category: 'promotional', amount: 5, remaining: 5, status: 'active' });
    expect(JSON.parse((await purseCli(grant, env)).stdout).id).toBe(block.id);
    const past = await purseCli(['credits', 'grant', '--tenant', t.id, '--amount', '5', '--reason', 'x', '--expires-at', '2001-01-01T00:00:00Z'], env);
    expect([past.code, JSON.parse(past.stderr).code]).toEqual([1, 'EXPIRES_AT_INVALID']);
    const listed = JSON.parse((await purseCli(['credits', 'list', '--tenant', t.id, '--json'], env)).stdout);
    expect(listed.data.map((b: { id: string }) => b.id)).toEqual([block.id]);
    expect(JSON.parse((await purseCli(['credits', 'void', block.id, '--reason', 'oops', '--json'], env)).stdout).status).toBe('voided');
    const verify = await purseCli(['ledger', 'verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('✓ wallet_balance_is_sum_of_credit_blocks');
  });

  it('prints a single-use billing page link for a tenant with portal --tenant', async () => {
    const t = JSON.parse((await purseCli(['tenants', 'create', '--name', 'acme', '--currency', 'BRL', '--json'], env)).stdout);
    const res = await purseCli(['portal', '--tenant', t.id], { ...env, PUBLIC_URL: 'https://billing.acme.test' });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^https:\/\/billing\.acme\.test\/billing\?session=[A-Za-z0-9_-]{43}\n\(opens once; expires /);
    const json = JSON.parse((await purseCli(['portal', '--tenant', t.id, '--json'], env)).stdout);
    expect(Object.keys(json).sort()).toEqual(['expiresAt', 'url']);
  }, PROCESS_TESTS_TIMEOUT_MS);

});

describe('purse CLI: exit codes, help and migrate', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  it('exits 1 with the machine code when the input is invalid', async () => {
    const res = await purseCli(['tenants', 'create', '--name', 'acme', '--currency', 'ZZZ'], env);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stderr).code).toBe('CURRENCY_INVALID');
  });

  it('exits 64 with usage for an unknown command or flag', async () => {
    expect((await purseCli(['frobnicate'], env)).code).toBe(64);
    const res = await purseCli(['tenants', 'create', '--nmae', 'x'], env);
    expect(res.code).toBe(64);
    expect(res.stderr).toContain('usage: purse');
  });

  it('prints help for the program, a group and a command, exiting 0', async () => {
    const top = await purseCli(['--help'], env);
    expect(top.code).toBe(0);
    for (const command of ['serve', 'migrate', 'tenants', 'numbers', 'keys', 'ledger', 'reconcile', 'sandbox']) expect(top.stdout).toContain(command);
    const group = await purseCli(['tenants', '--help'], env);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/create[\s\S]*list[\s\S]*disable/);
    const command = await purseCli(['keys', 'create', '--help'], env);
    expect(command.code).toBe(0);
    expect(command.stdout).toContain('--scope <scope>');
    expect(command.stdout).toContain('--json');
  });

  it('migrate reports what it applied, as JSON with --json', async () => {
    const res = await purseCli(['migrate', '--json'], env);
    expect(res.code).toBe(0);
    // beforeAll's database is already migrated by the first command of this file or by this one.
    expect(Array.isArray(JSON.parse(res.stdout).applied)).toBe(true);
  });

  it('exits 2 naming the variable when configuration is bad', async () => {
    const res = await purseCli(['migrate'], { ...env, PORT: 'eighty' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('PORT');
  });
});

describe('purse serve on an empty database (what npm start does)', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  it('migrates, creates a demo tenant and prints curl lines that work', async () => {
    const db = await freshDatabaseSqlite();
    const port = await freePort();
    const proc = startPurseProcess(['serve'], {
      DATABASE_URL: db.url,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      PURSE_DATA_DIR: db.url.slice('sqlite:'.length).replace(/\/[^/]+$/, ''),
      STRIPE_SANDBOX_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
    try {
      const [walletCurl] = await proc.waitFor(/curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/billing\/wallet -H '[^']+'/);
      expect(proc.output()).toMatch(/admin key pa_/);
      const wallet = JSON.parse(execSync(walletCurl, { encoding: 'utf8' }));
      expect(wallet).toEqual({ currency: 'BRL', balance: 0, held: 0, available: 0, autoTopup: null, expiring: null });
    } finally {
      expect(await proc.stop()).toBe(0);
      await db.drop();
    }
  });
});

describe('the start banner', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  it('says the admin key comes from PURSE_ADMIN_KEY when it is set, without printing it or inviting you to set it', async () => {
    const db = await freshDatabaseSqlite();
    const port = await freePort();
    const chosenKey = 'pa_operator-chosen-admin-key-0123456789';
    const proc = startPurseProcess(['serve'], {
      DATABASE_URL: db.url,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      PURSE_DATA_DIR: db.url.slice('sqlite:'.length).replace(/\/[^/]+$/, ''),
      STRIPE_SANDBOX_PORT: String(await freePort()),
      PURSE_ADMIN_KEY: chosenKey,
      LOG_LEVEL: 'warn',
    });
    try {
      await proc.waitFor(/admin key from PURSE_ADMIN_KEY/);
      expect(proc.output()).not.toContain(chosenKey);
      expect(proc.output()).not.toContain('set PURSE_ADMIN_KEY to choose your own');
    } finally {
      expect(await proc.stop()).toBe(0);
      await db.drop();
    }
  });
});

describe('purse --version and helpful refusals', () => {
  it('prints the version in package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const res = await purseCli(['--version'], {});
    expect([res.code, res.stdout.trim()]).toEqual([0, pkg.version]);
  });

  it('keys create --tenant ten_nope names the tenant it could not find', async () => {
    const db = await freshDatabaseSqlite();
    try {
      const res = await purseCli(['keys', 'create', '--tenant', 'ten_nope'], { DATABASE_URL: db.url, PURSE_DATA_DIR: db.url.slice('sqlite:'.length).replace(/\/[^/]+$/, '') });
      expect(res.code).toBe(1);
      expect(res.stdout + res.stderr).toContain('No tenant \\"ten_nope\\"');
    } finally {
      await db.drop();
    }
  });

  it('keys create --help lists the permissions a key can have', async () => {
    const res = await purseCli(['keys', 'create', '--help'], {});
    for (const permission of ['billing:read', 'billing:write', 'usage:write']) expect(res.stdout).toContain(permission);
  });
});

function freshDatabaseSqlite() {
  return freshDatabase('sqlite');
}
