import type { Writable } from 'node:stream';
import pino from 'pino';
import type { App, RouteRegistrar } from './api/kit.ts';
import type { Config } from './config/config.ts';
import { resolveSecrets } from './config/dev-secrets.ts';
import type { Ctx, Secrets } from './context.ts';
import { buildServer } from './http/server.ts';
import { JOBS } from './jobs/jobs.ts';
import { type JobTimers, type Scheduler, startJobs } from './jobs/scheduler.ts';
import { ROUTES } from './http/routes.ts';
import type { RateLimiter } from './ratelimit/limiter.ts';
import { memoryRateLimiter } from './ratelimit/limiter.ts';
import { redisRateLimiter } from './ratelimit/redis-limiter.ts';
import { type OpenStoreOptions, openStore } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import type { PaymentGateway } from './gateway/payment-gateway.ts';
import { gatewayFromConfig } from './gateway/stripe-gateway.ts';

export interface Purse {
  app: App;
  ctx: Ctx;
  /** The background jobs, unless started with `jobs: false`. */
  jobs: Scheduler | undefined;
  close(): Promise<void>;
}

export interface CreatePurseOptions {
  logStream?: Writable;
  nowMs?: () => number;
  secrets?: Secrets;
  store?: OpenStoreOptions;
  payments?: PaymentGateway;
  /** Routes beyond the product's own (tests use this to provoke failures). */
  extraRoutes?: RouteRegistrar[];
  /**
   * The background jobs (jobs/jobs.ts) start with the app by default, so every way of running Purse runs
   * them. `false` leaves them off (tests that drive each job themselves); `timers` replaces real intervals.
   */
  jobs?: false | { timers?: JobTimers };
}

/** Storage (migrated), secrets, clock and logger: what the CLI needs without an HTTP server. */
export async function openCtx(config: Config, opts: CreatePurseOptions = {}): Promise<Ctx> {
  const store = openStore(config.databaseUrl, opts.store);
  await migrateToLatest(store);
  const secrets = opts.secrets ?? resolveSecrets(config).secrets;
  const log = pino({ level: config.logLevel }, opts.logStream ?? process.stderr);
  const payments = opts.payments ?? gatewayFromConfig(config);
  return { config, store, secrets, nowMs: opts.nowMs ?? Date.now, log, payments };
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
  const jobs = opts.jobs === false ? undefined : startJobs(ctx, JOBS, opts.jobs?.timers);
  return {
    app,
    ctx,
    jobs,
    async close() {
      await jobs?.stop();
      await app.close();
      await limiter.close();
      await store.close();
    },
  };
}
