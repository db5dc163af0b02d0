import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import type { Store } from '../src/store/db.ts';
import { spread } from './rounds.ts';

/**
 * `node --import tsx bench/credit-draw-sqlite.ts --base DIR [--blocks N] [--rounds R] [--debits D]`
 * (issue 21): the SQLite usage debit without HTTP, three ways side by side in one process, each on its own
 * database file — A: DIR's code with the credit-block debit triggers dropped (the single-balance debit),
 * OLD: DIR's code as it is, NEW: this checkout. Every round runs D debits of one wallet from 50 concurrent
 * callers through the group commit (durable commits) on each, in rotating order, and reports the process
 * CPU per debit (SQLite runs in this thread, so that is the database's work plus the ledger's JavaScript)
 * and the wall time. NEW and OLD over A per round, min / median / max.
 */
const CALLERS = 50;
const FUNDS_MINOR = 10n ** 15n;
const DAY_MS = 86_400_000;

interface Side {
  name: string;
  store: Store;
  debit: (reference: string) => Promise<unknown>;
  cpuUs: number[];
  wallMs: number[];
}

function option(flag: string, fallback: string): string {
  const at = process.argv.indexOf(flag);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

async function openSide(name: string, root: string, dir: string, blocks: number, dropDebitTriggers: boolean): Promise<Side> {
  const { openStore } = await import(join(root, 'src/store/db.ts')) as typeof import('../src/store/db.ts');
  const { migrateToLatest } = await import(join(root, 'src/store/migrate.ts')) as typeof import('../src/store/migrate.ts');
  const { openWallet, systemAccountId, walletAccountId } = await import(join(root, 'src/ledger/accounts.ts')) as typeof import('../src/ledger/accounts.ts');
  const { recordTransaction } = await import(join(root, 'src/testing/record-transaction.ts')) as typeof import('../src/testing/record-transaction.ts');
  const store = openStore(`sqlite:${join(dir, `${name}.sqlite`)}`);
  await migrateToLatest(store);
  const tenantId = `ten_draw_${name}`;
  const nowMs = Date.now();
  await store.transact(async (trx) => {
    await trx.insertInto('tenants').values({ id: tenantId, name, currency: 'BRL', status: 'active', stripe_customer_id: null, created_at_ms: BigInt(nowMs) }).execute();
    await openWallet(trx, tenantId, 'BRL', nowMs);
  });
  const ctx = { store, nowMs: () => Date.now() };
  const move = (reference: string, walletMinor: bigint, kind: 'adjustment' | 'usage') => recordTransaction(ctx, {
    reference, kind, tenantId, currency: 'BRL', overdraft: walletMinor < 0n ? 'forbid' : 'allow',
    postings: [
      { accountId: walletAccountId(tenantId), amountMinor: walletMinor },
      { accountId: systemAccountId(kind === 'usage' ? 'usage_revenue' : 'adjustments', 'BRL'), amountMinor: -walletMinor },
    ],
  });
  await move('fund', FUNDS_MINOR, 'adjustment');
  for (let i = 1; i < blocks; i += 1) {
    // A promotional block as a grant makes it: spread priorities and expiries, each covering every debit.
    await sql`insert into credit_block_intents (reference, category, priority, expires_at_ms) values (${`grant:${i}`}, 'promotional', ${10 + (i % 5)}, ${nowMs + (i + 30) * DAY_MS})`.execute(store.db);
    await move(`grant:${i}`, FUNDS_MINOR, 'adjustment');
  }
  if (dropDebitTriggers) {
    for (const trigger of ['credit_blocks_follow_wallet', 'credit_blocks_draw_first']) await sql.raw(`drop trigger if exists ${trigger}`).execute(store.db);
  }
  return { name, store, debit: (reference) => move(reference, -1n, 'usage'), cpuUs: [], wallMs: [] };
}

async function round(side: Side, tag: string, debits: number): Promise<void> {
  let next = 0;
  const caller = async () => {
    while (next < debits) {
      const i = next;
      next += 1;
      await side.debit(`usage:${tag}:${i}`);
    }
  };
  const cpu = process.cpuUsage();
  const startMs = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const used = process.cpuUsage(cpu);
  side.wallMs.push((performance.now() - startMs) / debits);
  side.cpuUs.push((used.user + used.system) / debits);
}

function ratios(over: number[], under: number[]): number[] {
  return over.map((v, i) => v / (under[i] ?? Number.NaN));
}

function show(label: string, values: number[], digits: number): string {
  const s = spread(values);
  return `${label} ${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)}`;
}

async function main(): Promise<void> {
  const base = resolve(option('--base', ''));
  const blocks = Number(option('--blocks', '1'));
  const rounds = Number(option('--rounds', '8'));
  const debits = Number(option('--debits', '4000'));
  const dir = mkdtempSync(join(tmpdir(), 'purse-draw-'));
  const sides = [
    await openSide('a', base, dir, blocks, true),
    await openSide('old', base, dir, blocks, false),
    await openSide('new', resolve(import.meta.dirname, '..'), dir, blocks, false),
  ];
  for (const side of sides) await round(side, 'warm', debits / 4);
  for (const side of sides) side.cpuUs.length = side.wallMs.length = 0;
  for (let r = 0; r < rounds; r += 1) {
    const order = [...sides.slice(r % 3), ...sides.slice(0, r % 3)];
    for (const side of order) await round(side, `r${r}`, debits);
  }
  const [a, old, now] = sides as [Side, Side, Side];
  console.log(`SQLite, ${blocks} block(s), ${rounds} rounds of ${debits} debits, ${CALLERS} callers (min / median / max)`);
  for (const side of sides) console.log(`${side.name}: ${show('CPU µs/debit', side.cpuUs, 1)}; ${show('wall µs/debit', side.wallMs.map((m) => m * 1000), 1)}`);
  console.log(show('CPU old ÷ A', ratios(old.cpuUs, a.cpuUs), 3));
  console.log(show('CPU new ÷ A', ratios(now.cpuUs, a.cpuUs), 3));
  console.log(show('throughput old ÷ A', ratios(a.wallMs, old.wallMs), 3));
  console.log(show('throughput new ÷ A', ratios(a.wallMs, now.wallMs), 3));
  for (const side of sides) await side.store.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
