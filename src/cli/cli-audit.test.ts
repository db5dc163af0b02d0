import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { purseCli } from '../testing/process.ts';

// Each step spawns `purse`; a loaded machine needs seconds per process.
const PROCESS_TESTS_TIMEOUT_MS = 180_000;

/** CLI writes land in the audit log as actor `cli:<os user>`, on both databases (PURSE_TEST_DATABASE_URL). */
describe('purse CLI audit', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  let purse: TestPurse;
  let env: Record<string, string>;
  const actor = `cli:${userInfo().username}`;
  beforeAll(async () => {
    purse = await startTestPurse();
    env = { DATABASE_URL: purse.cliDatabaseUrl, LOG_LEVEL: 'silent', PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey };
  });
  afterAll(async () => purse.close());

  const entriesFor = async (target: string) => (await admin(purse, 'GET', `/v1/admin/audit?target=${target}`)).body.data as Array<Record<string, unknown>>;

  it('records a tenant created, money adjusted, a key created and a tenant disabled, with the OS user as actor and no secret', async () => {
    const tenant = JSON.parse((await purseCli(['tenants', 'create', '--name', 'Audited', '--currency', 'BRL', '--json'], env)).stdout) as { id: string };
    expect((await purseCli(['adjust', '--tenant', tenant.id, '--amount', '12.34', '--reason', 'goodwill from the shell', '--json'], env)).code).toBe(0);
    const key = JSON.parse((await purseCli(['keys', 'create', '--tenant', tenant.id, '--json'], env)).stdout) as { secret: string };
    expect((await purseCli(['tenants', 'disable', tenant.id], env)).code).toBe(0);
    const entries = await entriesFor(tenant.id);
    expect(entries.map((e) => e.action)).toEqual(['purse tenants disable', 'purse keys create', 'purse adjust']);
    expect(entries.every((e) => e.actor === actor && e.role === 'owner')).toBe(true);
    expect(entries.find((e) => e.action === 'purse adjust')!.after).toMatchObject({ options: { tenant: tenant.id, amount: '12.34', reason: 'goodwill from the shell' } });
    expect(JSON.stringify(entries)).not.toContain(key.secret);
    // `tenants create` has no target yet: found by actor, with the options it was given.
    const all = (await admin(purse, 'GET', `/v1/admin/audit?actor=${encodeURIComponent(actor)}`)).body.data as Array<Record<string, unknown>>;
    expect(all.some((e) => e.action === 'purse tenants create' && (e.after as { options: { name: string } }).options.name === 'Audited')).toBe(true);
  });

  it('records nothing for a command that failed and wrote nothing', async () => {
    const before = (await admin(purse, 'GET', '/v1/admin/audit')).body.data.length as number;
    const refused = await purseCli(['adjust', '--tenant', 'ten_00000000000000000000000000', '--amount', '5', '--reason', 'nobody'], env);
    expect(refused.code).not.toBe(0);
    expect((await admin(purse, 'GET', '/v1/admin/audit')).body.data.length).toBe(before);
  });
});
