import type { Writable } from 'node:stream';
import pino from 'pino';
import type { App, RouteRegistrar } from './api/kit.ts';
import { startAutoTopupIfCrossed } from './auto-topup/trigger.ts';
import type { Config } from './config/config.ts';
import { resolveSecrets } from './config/dev-secrets.ts';
import type { Ctx, Secrets } from './context.ts';
import { buildServer } from './http/server.ts';
import { ROUTES } from './http/routes.ts';
import type { RateLimiter } from './ratelimit/limiter.ts';
import { memoryRateLimiter } from './ratelimit/limiter.ts';
import { redisRateLimiter } from './ratelimit/redis-limiter.ts';
import { type OpenStoreOptions, openStore } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { type StripeGateway, gatewayFromConfig } from './stripe/gateway.ts';

export interface Purse {
  app: App;
  ctx: Ctx;
  close(): Promise<void>;
}

export interface CreatePurseOptions {
  logStream?: Writable;
  nowMs?: () => number;
  secrets?: Secrets;
  store?: OpenStoreOptions;
  stripe?: StripeGateway;
  /** Routes beyond the product's own (tests use this to provoke failures). */
  extraRoutes?: RouteRegistrar[];
}

/** Storage (migrated), secrets, clock and logger: what the CLI needs without an HTTP server. */
export async function openCtx(config: Config, opts: CreatePurseOptions = {}): Promise<Ctx> {
  const store = openStore(config.databaseUrl, opts.store);
  await migrateToLatest(store);
  const secrets = opts.secrets ?? resolveSecrets(config).secrets;
  const log = pino({ level: config.logLevel }, opts.logStream ?? process.stderr);
  const stripe = opts.stripe ?? gatewayFromConfig(config);
  return { config, store, secrets, nowMs: opts.nowMs ?? Date.now, log, stripe, walletHooks: [startAutoTopupIfCrossed] };
}

/** Opens storage, runs migrations and assembles the HTTP app. Listening is the caller's choice. */
export async function createPurse(config: Config, opts: CreatePurseOptions = {}): Promise<Purse> {
  const ctx = await openCtx(config, opts);
  const { store, nowMs } = ctx;
  const limiter: RateLimiter = config.redisUrl
    ? redisRateLimiter(config.redisUrl, config.rateLimitPerMinute, nowMs)
    : memoryRateLimiter(config.rateLimitPerMinute, nowMs);
  const app = await buildServer(ctx, { limiter, routes: [...ROUTES, ...(opts.extraRoutes ?? [])], ...(opts.logStream ? { logStream: opts.logStream } : {}) });
  await app.ready();
  return {
    app,
    ctx,
    async close() {
      await app.close();
      await limiter.close();
      await store.close();
    },
  };
}
