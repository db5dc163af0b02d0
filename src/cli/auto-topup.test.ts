import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/harness.ts';
import { purseCli } from '../testing/process.ts';

const SECRETS = { PURSE_ADMIN_KEY: 'pa_cli_admin_key_0123456789abcdef', PURSE_MASTER_KEY: 'cli-master-key-0123456789abcdef0123456789' };

// On SQLite: the command runs the same service (and validation) the HTTP tests run on both databases.
// Each call starts a process; on a loaded machine that takes a while.
const CLI_TIMEOUT_MS = 120_000;

describe('purse auto-topup', { timeout: CLI_TIMEOUT_MS }, () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let tenantId: string;
  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    env = { DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...SECRETS };
    drop = db.drop;
    tenantId = JSON.parse((await purseCli(['tenants', 'create', '--name', 'acme', '--currency', 'USD', '--json'], env)).stdout).id;
  }, CLI_TIMEOUT_MS);
  afterAll(() => drop());

  it('shows a tenant that never configured it as off', async () => {
    const shown = await purseCli(['auto-topup', 'show', '--tenant', tenantId, '--json'], env);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ enabled: false, state: 'off', threshold: null, currency: 'USD' });
  });

  it('saves settings turned off, then refuses to enable without a card', async () => {
    const set = await purseCli(['auto-topup', 'set', '--tenant', tenantId, '--enabled', 'false', '--threshold', '10', '--target-balance', '50', '--monthly-cap', '200'], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('below 10 USD: top up to 50 USD; cap 200 USD/month');
    const enable = await purseCli(['auto-topup', 'set', '--tenant', tenantId, '--enabled', 'true', '--threshold', '10', '--amount', '20'], env);
    expect(enable.code).toBe(1);
    expect(enable.stderr).toContain('NO_PAYMENT_METHOD');
  });

  it('names the field it refuses', async () => {
    const bad = await purseCli(['auto-topup', 'set', '--tenant', tenantId, '--enabled', 'false', '--threshold', '10', '--amount', '1'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('AMOUNT_BELOW_MINIMUM (amount must be at least 5 USD)');
  });
});
