import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './processes.ts';
import type { RoundsResult, Spread } from './rounds.ts';

/** One line of the table. Ratios compare with the baselines measured in the same run. */
export interface Row {
  database: 'sqlite' | 'postgres' | '-';
  scenario: string;
  connections: number;
  throughput: number;
  unit: string;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** Throughput ÷ the bare Fastify route's. */
  vsBare?: number | undefined;
  /** Throughput ÷ the raw database transaction loop's. */
  vsRawTx?: number | undefined;
  note?: string | undefined;
  /** Set when the row was measured in interleaved rounds: throughput and ×bare are then the medians. */
  rounds?: RoundsResult | undefined;
}

export interface Target {
  database: string;
  what: string;
  goal: string;
  measured: string;
  met: boolean;
}

/** A row from interleaved rounds: medians in the main columns, the spread kept in `rounds`. */
export function roundsRow(database: 'sqlite' | 'postgres', scenario: string, connections: number, r: RoundsResult, unit: string): Row {
  return {
    database, scenario, connections, unit, throughput: r.throughput.median, p50Ms: r.p50Ms.median, p99Ms: r.p99Ms.median, failed: r.failed,
    vsBare: r.vsBare.median, rounds: r,
  };
}

export function describeRounds(r: RoundsResult, unit: string): string {
  const cpu = `server ${fmt(r.serverCpuUsPerRequest.median, 0)} µs/req${r.databaseCpuUsPerRequest ? `, db ${fmt(r.databaseCpuUsPerRequest.median, 0)} µs/req` : ''}`;
  const counters = r.serverCounters ? `, pg per req: ${countersText(r)}` : '';
  return `${spreadText(r.throughput, 0)} ${unit}, ×bare ${spreadText(r.vsBare, 2)} (bare ${spreadText(r.bareThroughput, 0)}), p99 ${fmt(r.p99Ms.median, 0)} ms, ${cpu}${counters}, failed ${r.failed}`;
}

const BYTES_PER_KB = 1000;

/** `WAL kB | full-page images | backend writes` per request (medians), and checkpoints during the rounds. */
function countersText(r: RoundsResult): string {
  const c = r.serverCounters;
  if (!c) return '';
  return `${fmt(c.walBytesPerRequest.median / BYTES_PER_KB, 1)}|${fmt(c.fullPageImagesPerRequest.median, 2)}|${fmt(c.backendWritesPerRequest.median, 2)}; ${c.checkpoints}`;
}

/** `median (min–max)`. */
export function spreadText(s: Spread, digits: number): string {
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

export function printTable(rows: Row[]): void {
  const header = ['db', 'scenario', 'conns', 'throughput, median (min–max)', 'p50 ms', 'p99 ms', 'failed', '×bare, median (min–max)', 'cpu µs/req srv|db', 'pg WAL kB|FPI|bk wr /req; ckpt', '×raw tx', 'note'];
  const body = rows.map((r) => [
    r.database, r.scenario, String(r.connections), `${r.rounds ? spreadText(r.rounds.throughput, 0) : fmt(r.throughput, 0)} ${r.unit}`,
    fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), String(r.failed),
    r.rounds ? spreadText(r.rounds.vsBare, 2) : r.vsBare === undefined ? '' : fmt(r.vsBare, 2),
    r.rounds ? cpuText(r.rounds) : '',
    r.rounds?.serverCounters ? countersText(r.rounds) : '',
    r.vsRawTx === undefined ? '' : fmt(r.vsRawTx, 2), r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 10 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const cells of body) console.log(line(cells));
}

export function printTargets(targets: Target[]): void {
  console.log('\nTargets (2-core machine; not timed tests):');
  for (const t of targets) console.log(`  ${t.met ? 'MET   ' : 'MISSED'}  [${t.database}] ${t.what}: goal ${t.goal}, measured ${t.measured}`);
}

function cpuText(r: RoundsResult): string {
  const db = r.databaseCpuUsPerRequest ? fmt(r.databaseCpuUsPerRequest.median, 0) : '-';
  return `${fmt(r.serverCpuUsPerRequest.median, 0)}|${db}`;
}

function fmt(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  disk: string;
  node: string;
  postgres?: string | undefined;
}

export function describeMachine(postgresVersion: string | undefined): Machine {
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    disk: describeDisk(),
    node: process.version,
    postgres: postgresVersion,
  };
}

/** The filesystem the databases live on, and the block device under it. */
function describeDisk(): string {
  const [device, type, size, , available] = shell(`df -hT ${JSON.stringify(REPO_ROOT)} | tail -1`).split(' ');
  const name = device?.replace('/dev/', '') ?? '';
  const rotational = shell(`cat /sys/block/${name}/queue/rotational 2>/dev/null`);
  return `${device} ${type} ${size} (${available} free), rotational=${rotational || '?'}`;
}

function shell(command: string): string {
  try {
    return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/\s+/g, ' ');
  } catch {
    return '';
  }
}

export function writeResults(result: unknown): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'latest.json');
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  return path;
}
