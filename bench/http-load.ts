import autocannon, { type Request, type Result } from 'autocannon';

/** One measured load: autocannon keeping `connections` requests in flight against a real process. */
export interface LoadResult {
  /** Successful (2xx) responses per second of the measured window. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  ok: number;
  /** Non-2xx responses, connection errors and timeouts: anything but success. */
  failed: number;
  statusCounts: Record<string, number>;
  durationSeconds: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** The sequence each connection cycles through (setupRequest makes each request unique). */
  requests: Request[];
  /** A fixed number of requests instead of a duration (the webhook run has one event per order). */
  amount?: number;
}

const REQUEST_TIMEOUT_SECONDS = 10;
const MS_PER_SECOND = 1000;

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupSeconds > 0 && spec.amount === undefined) await cannon(spec, { duration: spec.warmupSeconds });
  const { result, lastResponseSeconds } = await cannon(spec, spec.amount === undefined ? { duration: spec.durationSeconds } : { amount: spec.amount });
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  // autocannon ends a fixed-amount run on its next one-second tick: its duration is rounded up to that tick.
  const durationSeconds = spec.amount === undefined ? result.duration : lastResponseSeconds;
  return {
    okPerSecond: result['2xx'] / durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.mean,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    statusCounts,
    durationSeconds,
  };
}

/** The run, and when its last response came, in seconds from its start. */
function cannon(spec: LoadSpec, limit: { duration: number } | { amount: number }): Promise<{ result: Result; lastResponseSeconds: number }> {
  const startMs = performance.now();
  let lastResponseMs = startMs;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url: spec.url, connections: spec.connections, timeout: REQUEST_TIMEOUT_SECONDS, requests: spec.requests, ...limit }, (err, result) => {
      if (err) reject(err);
      else resolve({ result, lastResponseSeconds: (lastResponseMs - startMs) / MS_PER_SECOND });
    });
    instance.on('response', () => {
      lastResponseMs = performance.now();
    });
  });
}

/** Percentiles of a sample of latencies (ms), for the sequential measurements. */
export function percentile(samplesMs: number[], p: number): number {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export interface SequentialResult {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
  failed: number;
}

/** One request at a time, timed with performance.now (autocannon's histogram has 1 ms resolution). */
export async function runSequential(samples: number, call: (i: number) => Promise<boolean>): Promise<SequentialResult> {
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < samples; i += 1) {
    const startMs = performance.now();
    const ok = await call(i);
    times.push(performance.now() - startMs);
    if (!ok) failed += 1;
  }
  return summariseSequential(times, failed);
}

export function summariseSequential(times: number[], failed: number): SequentialResult {
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), meanMs: times.reduce((a, b) => a + b, 0) / times.length, samples: times.length, failed };
}
