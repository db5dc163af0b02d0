/**
 * `node --import tsx bench/replication-sync.ts [rounds]` (issue 25): usage-debit throughput on PostgreSQL with
 * synchronous replication against asynchronous, in the same run, interleaved. One lab primary + streaming
 * standby (src/testing/pg-lab.ts, ports 55452/55453), one `purse serve`, many tenants (one hot wallet would
 * measure its lock, not the commit); each window first sets `synchronous_standby_names` on the primary (and
 * reloads), then sends debits with Idempotency-Keys from CLIENTS clients for WINDOW_MS. Windows alternate
 * sync, async, sync, async… so machine noise lands on both alike. Prints one JSON line per window and the
 * medians. Every debit is a group-commit batch member: synchronous replication costs one standby round
 * trip per COMMIT, shared by the batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchTenant, createFundedTenant, inParallel } from './fixtures.ts';
import { startPurse } from './processes.ts';
import { startPgLab } from '../src/testing/pg-lab.ts';

const DEFAULT_ROUNDS = 4;
const WINDOW_MS = 8_000;
const WARMUP_MS = 1_000;
const CLIENTS = 32;
const TENANTS = 64;
const TENANT_FUNDS_MAJOR = '1000000';
const SETTLE_MS = 500;

async function window(purseUrl: string, tenants: BenchTenant[], label: string, round: number): Promise<number> {
  let acked = 0;
  let counting = false;
  const stopAtMs = performance.now() + WARMUP_MS + WINDOW_MS;
  setTimeout(() => { counting = true; }, WARMUP_MS);
  const client = async (index: number) => {
    for (let n = 0; performance.now() < stopAtMs; n += 1) {
      const tenant = tenants[(index + n * CLIENTS) % tenants.length]!;
      const res = await fetch(`${purseUrl}/v1/billing/usage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey, 'idempotency-key': `${label}-${round}-${index}-${n}` },
        body: JSON.stringify({ amount: '0.01' }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`debit answered ${res.status}`);
      if (counting) acked += 1;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  return Math.round(acked / (WINDOW_MS / 1_000));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? DEFAULT_ROUNDS);
  const lab = startPgLab({ primaryPort: 55452, standbyPort: 55453, synchronous: true, databases: ['purse'] });
  const dir = mkdtempSync(join(tmpdir(), 'purse-sync-bench-'));
  const purse = await startPurse(lab.primaryUrl('purse'), dir);
  try {
    const tenants = await inParallel(TENANTS, (i) => createFundedTenant(purse.url, `sync bench ${i}`, 'BRL', TENANT_FUNDS_MAJOR));
    const results: Record<'sync' | 'async', number[]> = { sync: [], async: [] };
    for (let round = 1; round <= rounds; round += 1) {
      for (const mode of ['sync', 'async'] as const) {
        lab.psql('primary', `alter system set synchronous_standby_names = '${mode === 'sync' ? 'standby' : ''}'`);
        lab.psql('primary', 'select pg_reload_conf()');
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const setting = lab.psql('primary', 'show synchronous_standby_names').trim();
        const perSecond = await window(purse.url, tenants, mode, round);
        results[mode].push(perSecond);
        process.stdout.write(`${JSON.stringify({ round, mode, synchronousStandbyNames: setting, debitsPerSecond: perSecond })}\n`);
      }
    }
    const [sync, async] = [median(results.sync), median(results.async)];
    process.stdout.write(`${JSON.stringify({ clients: CLIENTS, tenants: TENANTS, windowMs: WINDOW_MS, rounds, medianSync: sync, medianAsync: async, syncOverAsync: Number((sync / async).toFixed(2)) })}\n`);
  } finally {
    await purse.stop();
    lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
