import { rmSync } from 'node:fs';
import { freshBenchDatabase } from './fixtures.ts';
import { type LoadResult, runLoad } from './http-load.ts';
import { BENCH_CONNECTIONS } from './options.ts';
import { type Child, startBareServer, startPurse } from './processes.ts';
import { ROUNDS_MIN, type Spread, processCpuUs, spread } from './rounds.ts';

/**
 * `node --import tsx bench/healthz.ts [--rounds N] [--seconds S]`: Purse's `GET /healthz` next to a bare
 * Fastify GET route, each its own process on this machine, measured alternately (bare, Purse, Purse, bare, …)
 * so every ratio comes from one moment of a noisy machine. Issue 26's goal: /healthz ≥ 0.9× the bare route,
 * i.e. the per-request tax (request ids, auth, text checks, audit, metrics) is not paid by routes that need none.
 */
const DEFAULT_SECONDS = 3;
const WARMUP_SECONDS = 1;
const HEALTHZ_GOAL_VS_BARE = 0.9;

function option(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  const text = at === -1 ? undefined : process.argv[at + 1];
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a positive integer, not ${text}`);
  return Number(text);
}

/** The load, and the server process's CPU time per answered request (µs): the measure a loaded machine bends least. */
async function hammer(child: Child, path: string, seconds: number): Promise<LoadResult & { cpuUs: number }> {
  const before = processCpuUs(child.pid);
  const run = await runLoad({ url: child.url, connections: BENCH_CONNECTIONS, durationSeconds: seconds, warmupSeconds: WARMUP_SECONDS, requests: [{ method: 'GET', path }] });
  return { ...run, cpuUs: (processCpuUs(child.pid) - before) / Math.max(run.ok, 1) };
}

function line(name: string, s: Spread, unit: string): string {
  return `${name.padEnd(22)} min ${s.min.toFixed(2).padStart(9)}  median ${s.median.toFixed(2).padStart(9)}  max ${s.max.toFixed(2).padStart(9)} ${unit}`;
}

async function main(): Promise<void> {
  const rounds = Math.max(ROUNDS_MIN, option('--rounds', ROUNDS_MIN));
  const seconds = option('--seconds', DEFAULT_SECONDS);
  const db = await freshBenchDatabase('sqlite', '');
  const children: Child[] = [];
  try {
    const bare = await startBareServer();
    children.push(bare);
    const purse = await startPurse(db.url, db.dir);
    children.push(purse);
    const bareRates: number[] = [];
    const purseRates: number[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // Alternate which goes first, so neither always meets a warmer or colder machine.
      const order = round % 2 === 0 ? (['bare', 'purse'] as const) : (['purse', 'bare'] as const);
      const got: Record<string, LoadResult & { cpuUs: number }> = {};
      for (const side of order) got[side] = side === 'bare' ? await hammer(bare, '/bare', seconds) : await hammer(purse, '/healthz', seconds);
      const b = got.bare!;
      const p = got.purse!;
      if (b.failed + p.failed > 0) throw new Error(`round ${round + 1}: ${b.failed} bare and ${p.failed} Purse requests failed`);
      bareRates.push(b.okPerSecond);
      purseRates.push(p.okPerSecond);
      ratios.push(p.okPerSecond / b.okPerSecond);
      cpuRatios.push(b.cpuUs / p.cpuUs);
      process.stdout.write(`round ${round + 1}: bare ${b.okPerSecond.toFixed(0)}/s (${b.cpuUs.toFixed(0)} µs CPU), /healthz ${p.okPerSecond.toFixed(0)}/s (${p.cpuUs.toFixed(0)} µs CPU), ratio ${(p.okPerSecond / b.okPerSecond).toFixed(3)}, CPU ratio bare ÷ /healthz ${(b.cpuUs / p.cpuUs).toFixed(3)}\n`);
    }
    const ratio = spread(ratios);
    process.stdout.write(`${line('bare GET /bare', spread(bareRates), 'req/s')}\n${line('Purse GET /healthz', spread(purseRates), 'req/s')}\n${line('/healthz ÷ bare', ratio, '×')}\n${line('CPU bare ÷ /healthz', spread(cpuRatios), '×')}\n`);
    process.stdout.write(`goal ≥ ${HEALTHZ_GOAL_VS_BARE}× (median): ${ratio.median >= HEALTHZ_GOAL_VS_BARE ? 'met' : 'missed'}\n`);
  } finally {
    for (const child of children.reverse()) await child.stop();
    await db.close();
    rmSync(db.dir, { recursive: true, force: true });
  }
}

await main();
