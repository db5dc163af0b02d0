import type { Ctx } from '../context.ts';

/**
 * Background work on timers (inbox retries now; hold expiry, outbox and reconcile later). Every job
 * must be safe to run on several instances at once: each claims its rows with a guarded update.
 */
export interface Job {
  name: string;
  everyMs: number;
  run(ctx: Ctx): Promise<unknown>;
}

export interface Scheduler {
  stop(): Promise<void>;
}

export function startJobs(ctx: Ctx, jobs: Job[]): Scheduler {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const job of jobs) {
    let busy = false;
    const tick = () => {
      // A slow run is never overlapped by the next tick of the same job.
      if (busy || stopped) return;
      busy = true;
      const run = job.run(ctx)
        .catch((err: Error) => ctx.log.error({ job: job.name, err: err.message }, 'background job failed'))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    const timer = setInterval(tick, job.everyMs);
    timer.unref();
    timers.push(timer);
  }
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}
