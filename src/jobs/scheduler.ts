import type { Ctx } from '../context.ts';

/**
 * Background work on timers (inbox retries, idempotency pruning, hold expiry, reconcile). Every job
 * must be safe to run on several instances at once: each claims its rows with a guarded update.
 */
export interface Job {
  name: string;
  everyMs: number;
  run(ctx: Ctx): Promise<unknown>;
}

/** Where ticks come from: real intervals in production, a hand-driven tick in tests (no sleeps). */
export interface JobTimers {
  every(ms: number, tick: () => void): () => void;
}

export const REAL_TIMERS: JobTimers = {
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

export interface Scheduler {
  /** Resolves once every run started so far has finished. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startJobs(ctx: Ctx, jobs: Job[], timers: JobTimers = REAL_TIMERS): Scheduler {
  const cancels: Array<() => void> = [];
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
    cancels.push(timers.every(job.everyMs, tick));
  }
  return {
    async idle() {
      await Promise.allSettled([...running]);
    },
    async stop() {
      stopped = true;
      for (const cancel of cancels) cancel();
      await Promise.allSettled([...running]);
    },
  };
}

/** Test timers: nothing fires until `tick()` fires every registered interval once. */
export interface ManualTimers extends JobTimers {
  tick(): void;
  /** Intervals registered and not cancelled. */
  active(): number;
}

export function manualTimers(): ManualTimers {
  const ticks = new Set<() => void>();
  return {
    every(_ms, tick) {
      const entry = () => tick();
      ticks.add(entry);
      return () => ticks.delete(entry);
    },
    tick() {
      for (const tick of [...ticks]) tick();
    },
    active: () => ticks.size,
  };
}
