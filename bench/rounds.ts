import { readFileSync, readdirSync } from 'node:fs';
import type { LoadResult } from './http-load.ts';

/**
 * A/B/A/B measurement: the baseline (the bare Fastify route) and a scenario run alternately, round after
 * round, so both see the same machine (the same noisy neighbours, the same page cache, the same thermal
 * state). Ratios are computed per round and summarised as min/median/max; a ratio of medians from two
 * different moments is exactly what this avoids.
 */
export const ROUNDS_MIN = 3;
/** Linux reports process CPU time in clock ticks; 100 per second on every kernel this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const MICROSECONDS_PER_SECOND = 1_000_000;

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface RoundsResult {
  rounds: number;
  /** Successful responses per second (divided by `divide` for multi-request units such as hold+capture). */
  throughput: Spread;
  bareThroughput: Spread;
  /** Per round: scenario throughput ÷ the bare route's throughput measured right before it. */
  vsBare: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  failed: number;
  /** CPU time per successful request, in µs, of the Purse process and of the database server processes. */
  serverCpuUsPerRequest: Spread;
  databaseCpuUsPerRequest: Spread | undefined;
  /** The database server's own counters (PostgreSQL: WAL, full-page images, checkpoints), per round, summarised. */
  serverCounters?: ServerCounters | undefined;
}

/** PostgreSQL's view of a round: what each request cost it in WAL, and whether a checkpoint ran meanwhile. */
export interface ServerCounters {
  walBytesPerRequest: Spread;
  fullPageImagesPerRequest: Spread;
  /** Buffers a backend had to write out itself (shared_buffers full of dirty pages), per request. */
  backendWritesPerRequest: Spread;
  /** Checkpoints started or completed during the rounds (timed + requested), summed over the rounds. */
  checkpoints: number;
}

/** Cumulative server counters, read before and after each round. */
export type CounterProbe = () => Promise<Record<CounterName, number>>;
export type CounterName = 'walBytes' | 'fullPageImages' | 'backendWrites' | 'checkpoints';

/** Whose CPU time to charge to a scenario: the Purse pid, and (PostgreSQL) every `postgres` process. */
export interface CpuProbe {
  serverPid: number;
  database: 'sqlite' | 'postgres';
}

export interface RoundsSpec {
  rounds: number;
  bare(): Promise<LoadResult>;
  scenario(round: number): Promise<LoadResult>;
  probe: CpuProbe;
  /** Requests per unit of throughput (2 for a hold then its capture). */
  divide?: number;
  counters?: CounterProbe | undefined;
}

export async function measureRounds(spec: RoundsSpec): Promise<RoundsResult> {
  if (spec.rounds < ROUNDS_MIN) throw new Error(`at least ${ROUNDS_MIN} rounds, not ${spec.rounds}`);
  const divide = spec.divide ?? 1;
  const samples: Array<{ bare: LoadResult; run: LoadResult; serverUs: number; databaseUs: number; counters?: Record<CounterName, number> }> = [];
  for (let round = 0; round < spec.rounds; round += 1) {
    const bare = await spec.bare();
    const countersBefore = await spec.counters?.();
    const before = cpuSnapshot(spec.probe);
    const run = await spec.scenario(round);
    const after = cpuSnapshot(spec.probe);
    const countersAfter = await spec.counters?.();
    const counters = countersBefore && countersAfter ? difference(countersAfter, countersBefore) : undefined;
    samples.push({ bare, run, serverUs: after.serverUs - before.serverUs, databaseUs: after.databaseUs - before.databaseUs, ...(counters ? { counters } : {}) });
  }
  const perRequest = (us: number, run: LoadResult) => (run.ok > 0 ? us / run.ok : Number.NaN);
  return {
    rounds: spec.rounds,
    throughput: spread(samples.map((s) => s.run.okPerSecond / divide)),
    bareThroughput: spread(samples.map((s) => s.bare.okPerSecond)),
    vsBare: spread(samples.map((s) => s.run.okPerSecond / divide / s.bare.okPerSecond)),
    p50Ms: spread(samples.map((s) => s.run.p50Ms)),
    p99Ms: spread(samples.map((s) => s.run.p99Ms)),
    failed: samples.reduce((sum, s) => sum + s.run.failed, 0),
    serverCpuUsPerRequest: spread(samples.map((s) => perRequest(s.serverUs, s.run))),
    databaseCpuUsPerRequest: spec.probe.database === 'postgres' ? spread(samples.map((s) => perRequest(s.databaseUs, s.run))) : undefined,
    serverCounters: spec.counters ? summariseCounters(samples, perRequest) : undefined,
  };
}

function difference(after: Record<CounterName, number>, before: Record<CounterName, number>): Record<CounterName, number> {
  return {
    walBytes: after.walBytes - before.walBytes, fullPageImages: after.fullPageImages - before.fullPageImages,
    backendWrites: after.backendWrites - before.backendWrites, checkpoints: after.checkpoints - before.checkpoints,
  };
}

function summariseCounters(
  samples: Array<{ run: LoadResult; counters?: Record<CounterName, number> }>,
  perRequest: (value: number, run: LoadResult) => number,
): ServerCounters {
  const per = (name: CounterName) => spread(samples.map((s) => perRequest(s.counters?.[name] ?? Number.NaN, s.run)));
  return {
    walBytesPerRequest: per('walBytes'), fullPageImagesPerRequest: per('fullPageImages'), backendWritesPerRequest: per('backendWrites'),
    checkpoints: samples.reduce((sum, s) => sum + (s.counters?.checkpoints ?? 0), 0),
  };
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return { min: at(0), median, max: at(sorted.length - 1) };
}

function cpuSnapshot(probe: CpuProbe): { serverUs: number; databaseUs: number } {
  return {
    serverUs: processCpuUs(probe.serverPid),
    databaseUs: probe.database === 'postgres' ? postgresCpuUs() : 0,
  };
}

/** utime + stime of one process (fields 14 and 15 of /proc/<pid>/stat), in µs; 0 where /proc is absent. */
export function processCpuUs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may contain spaces; the fields after it start past its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return (ticks / CLOCK_TICKS_PER_SECOND) * MICROSECONDS_PER_SECOND;
}

/** Every running `postgres` process (postmaster, backends, background workers) summed. */
function postgresCpuUs(): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += processCpuUs(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}
