import type { Writable } from 'node:stream';
import pino from 'pino';
import type { RouteRegistrar } from './api/kit.ts';
import type { Config } from './config/config.ts';
import { resolveSecrets } from './config/dev-secrets.ts';
import type { Ctx, Secrets } from './context.ts';
import { type OpenStoreOptions, openStore } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { type StripeGateway, gatewayFromConfig } from './stripe/gateway.ts';

export interface CreatePurseOptions {
  logStream?: Writable;
  nowMs?: () => number;
  secrets?: Secrets;
  store?: OpenStoreOptions;
  stripe?: StripeGateway;
  /** Routes beyond the product's own (tests use this to provoke failures). */
  extraRoutes?: RouteRegistrar[];
}

/**
 * Storage (migrated), secrets, clock and logger: what the CLI needs without an HTTP server. Kept apart
 * from app.ts so that a CLI command never loads the HTTP stack.
 */
export async function openCtx(config: Config, opts: CreatePurseOptions = {}): Promise<Ctx> {
  const store = openStore(config.databaseUrl, opts.store);
  try {
    await migrateToLatest(store);
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  const secrets = opts.secrets ?? resolveSecrets(config).secrets;
  const log = pino({ level: config.logLevel }, opts.logStream ?? process.stderr);
  const stripe = opts.stripe ?? gatewayFromConfig(config);
  return { config, store, secrets, nowMs: opts.nowMs ?? Date.now, log, stripe };
}
