import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { Secrets } from '../context.ts';

const SECRET_BYTES = 32;
const FILE_NAME = 'dev-secrets.json';

export interface ResolvedSecrets {
  secrets: Secrets;
  /** Where generated development secrets live, when any were generated or loaded. */
  devFile: string | undefined;
}

/**
 * Production takes both secrets from the environment (config parsing already insisted).
 * Development generates what is missing once and keeps it in the data directory (mode 0600),
 * so keys keep working across restarts.
 */
export function resolveSecrets(config: Config): ResolvedSecrets {
  if (config.adminKey && config.masterKey) return { secrets: { adminKey: config.adminKey, masterKey: config.masterKey }, devFile: undefined };
  const file = join(config.dataDir, FILE_NAME);
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const secrets: Secrets = {
    adminKey: config.adminKey ?? stored.adminKey ?? `pa_${randomBytes(SECRET_BYTES).toString('base64url')}`,
    masterKey: config.masterKey ?? stored.masterKey ?? randomBytes(SECRET_BYTES).toString('base64url'),
  };
  if (stored.adminKey !== secrets.adminKey || stored.masterKey !== secrets.masterKey) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { secrets, devFile: file };
}
