import type { App } from './api/kit.ts';
import type { Config } from './config/config.ts';
import type { Ctx } from './context.ts';
import { buildServer } from './http/server.ts';
import { JOBS } from './jobs/jobs.ts';
import { type Scheduler, startJobs } from './jobs/scheduler.ts';
import { ROUTES } from './http/routes.ts';
import type { RateLimiter } from './ratelimit/limiter.ts';
import { memoryRateLimiter } from './ratelimit/limiter.ts';
import { redisRateLimiter } from './ratelimit/redis-limiter.ts';
import { type CreatePurseOptions, openCtx } from './open-ctx.ts';
import { drainWebhookWorker } from './webhooks/delivery-worker.ts';

export interface Purse {
  app: App;
  ctx: Ctx;
  /** The background jobs, unless started with `jobs: false`. */
  jobs: Scheduler | undefined;
  close(): Promise<void>;
  /** While closing: the step under way and how long each finished step took (a shutdown that overruns says where). */
  closing(): { step: string | undefined; stepsMs: Record<string, number> };
}

export { type CreatePurseOptions, openCtx } from './open-ctx.ts';

/** Opens storage, runs migrations, assembles the HTTP app and starts the jobs. Listening is the caller's choice. */
export async function createPurse(config: Config, opts: CreatePurseOptions = {}): Promise<Purse> {
  const ctx = await openCtx(config, opts);
  const { store, nowMs } = ctx;
  const limiter: RateLimiter = config.redisUrl
    ? redisRateLimiter(config.redisUrl, config.rateLimitPerMinute, nowMs)
    : memoryRateLimiter(config.rateLimitPerMinute, nowMs);
  const app = await buildServer(ctx, { limiter, routes: [...ROUTES, ...(opts.extraRoutes ?? [])], ...(opts.logStream ? { logStream: opts.logStream } : {}) });
  await app.ready();
  const jobs = opts.jobs === false ? undefined : startJobs(ctx, JOBS, opts.jobs?.timers);
  const closing: { step: string | undefined; stepsMs: Record<string, number> } = { step: undefined, stepsMs: {} };
  return {
    app,
    ctx,
    jobs,
    async close() {
      await step('jobs', async () => jobs?.stop());
      // Sends already in flight finish (or time out) before the pools close under them.
      await step('webhook sends', () => drainWebhookWorker(ctx));
      await step('http', () => app.close());
      await step('rate limiter', () => limiter.close());
      await step('store', () => store.close());
      closing.step = undefined;
    },
    closing: () => ({ step: closing.step, stepsMs: { ...closing.stepsMs } }),
  };

  async function step(name: string, run: () => Promise<unknown>): Promise<void> {
    closing.step = name;
    const startMs = performance.now();
    await run();
    closing.stepsMs[name] = Math.round(performance.now() - startMs);
  }
}
