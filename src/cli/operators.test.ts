import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/harness.ts';
import { purseCli } from '../testing/process.ts';

const PROCESS_TESTS_TIMEOUT_MS = 120_000;
const SECRETS = { PURSE_ADMIN_KEY: 'pa_cli_admin_key_0123456789abcdef', PURSE_MASTER_KEY: 'cli-master-key-0123456789abcdef0123456789' };

describe('purse operators', { timeout: PROCESS_TESTS_TIMEOUT_MS }, () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    env = { DATABASE_URL: db.url, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://purse.example', ...SECRETS };
    drop = db.drop;
  });
  afterAll(() => drop());

  it('creates an operator with a one-time link, lists, resets and disables it, and refuses an unknown role', async () => {
    const created = await purseCli(['operators', 'create', '--email', 'Ana@Example.com', '--role', 'support', '--json'], env);
    expect(created.code).toBe(0);
    const link = JSON.parse(created.stdout);
    expect(link.operator).toMatchObject({ email: 'ana@example.com', role: 'support', status: 'active', hasPassword: false });
    expect(link.url).toMatch(/^https:\/\/purse\.example\/admin\/set-password\?token=[A-Za-z0-9_-]{43}$/);
    const bad = await purseCli(['operators', 'create', '--email', 'x@example.com', '--role', 'admin'], env);
    expect(bad.code).not.toBe(0);
    const reset = JSON.parse((await purseCli(['operators', 'reset-password', 'ana@example.com', '--json'], env)).stdout);
    expect(reset.url).not.toBe(link.url);
    expect((await purseCli(['operators', 'disable', link.operator.id], env)).code).toBe(0);
    const listed = JSON.parse((await purseCli(['operators', 'list', '--json'], env)).stdout);
    expect(listed).toEqual([expect.objectContaining({ email: 'ana@example.com', status: 'disabled' })]);
  });
});
