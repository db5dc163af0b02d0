import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRETS, type TestPurse, freshDatabase, startTestPurse } from '../testing/harness.ts';
import { freePort, purseCli } from '../testing/process.ts';
import type { DoctorCheck } from './doctor.ts';

const PROCESS_TESTS_TIMEOUT_MS = 120_000;
const SECRETS = { PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey, LOG_LEVEL: 'silent' };

async function doctor(env: Record<string, string>): Promise<{ code: number; checks: Record<string, DoctorCheck> }> {
  const res = await purseCli(['doctor', '--json'], { ...SECRETS, ...env });
  const report = JSON.parse(res.stdout) as { ok: boolean; checks: DoctorCheck[] };
  expect(report.ok).toBe(res.code === 0);
  return { code: res.code, checks: Object.fromEntries(report.checks.map((c) => [c.name, c])) };
}

describe('purse doctor', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  let purse: TestPurse;
  let publicUrl: string;
  beforeAll(async () => {
    purse = await startTestPurse();
    publicUrl = await purse.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => purse.close());

  it('passes on a migrated database with a reachable PUBLIC_URL', async () => {
    const { code, checks } = await doctor({ DATABASE_URL: purse.cliDatabaseUrl, PUBLIC_URL: publicUrl });
    expect(checks.database).toMatchObject({ ok: true });
    expect(checks.database!.detail).toContain('reachable and migrated');
    expect(checks['public url']).toMatchObject({ ok: true });
    expect(checks.stripe!.detail).toContain('sandbox');
    expect(code).toBe(0);
  });

  it('names each problem and where: an unmigrated database, unreachable Redis and PUBLIC_URL', async () => {
    const db = await freshDatabase('sqlite');
    const [redisPort, webPort] = [await freePort(), await freePort()];
    // There, but never migrated: an empty SQLite file.
    const file = db.url.slice('sqlite:'.length);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
    try {
      const { code, checks } = await doctor({ DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redisPort}`, PUBLIC_URL: `http://127.0.0.1:${webPort}` });
      expect(code).toBe(1);
      expect(checks.database).toMatchObject({ ok: false });
      expect(checks.database!.detail).toContain('not migrated');
      expect(checks.redis).toEqual({ name: 'redis', ok: false, detail: `Redis at 127.0.0.1:${redisPort} (REDIS_URL): connection refused` });
      expect(checks['public url']).toEqual({
        name: 'public url',
        ok: false,
        detail: `http://127.0.0.1:${webPort}/healthz (PUBLIC_URL): connection refused`,
      });
    } finally {
      await db.drop();
    }
  });

  it('refuses a mistyped SQLite path without creating its folder or an empty database there', async () => {
    const missingDir = join(mkdtempSync(join(tmpdir(), 'purse-doctor-')), 'typo-dir');
    const { code, checks } = await doctor({ DATABASE_URL: `sqlite:${missingDir}/purse.sqlite`, PUBLIC_URL: publicUrl });
    expect(code).toBe(1);
    expect(checks.database).toMatchObject({ ok: false });
    expect(checks.database!.detail).toContain(`no database file at ${missingDir}/purse.sqlite`);
    expect(existsSync(missingDir)).toBe(false);
  });
});
