import { TEST_SECRETS } from './harness.ts';
import { freePort } from './process.ts';

/**
 * The environment of a `purse serve` child process in a test: the test secrets, the database, a free port
 * of its own (and its public URL) and a free port for its in-process sandbox; `extra` adds or overrides.
 */
export async function serveProcessEnv(databaseUrl: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    PURSE_ADMIN_KEY: TEST_SECRETS.adminKey,
    PURSE_MASTER_KEY: TEST_SECRETS.masterKey,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    STRIPE_SANDBOX_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    ...extra,
  };
}
