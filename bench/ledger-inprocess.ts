import { join } from 'node:path';
import pg from 'pg';
import type { Ctx } from '../src/context.ts';
import { openWallet, systemAccountId, walletAccountId } from '../src/ledger/accounts.ts';
import { recordTransaction } from '../src/testing/record-transaction.ts';
import { type BatchBounds, type Store, openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';

/**
 * The ledger without HTTP: `recordTransaction` from 50 concurrent callers in this process, on a store of
 * its own, three ways — group commit with durable commits (what Purse runs), one commit per debit
 * (durable, batches of one), and, on SQLite, group commit with `synchronous=NORMAL` (not durable). The
 * gap between the first and the last is what durability costs once commits are shared.
 */
export interface LedgerResult {
  name: string;
  wallets: number;
  txPerSecond: number;
}

const CALLERS = 50;
const FUNDS_MINOR = 10n ** 12n;

interface Variant {
  name: string;
  batch?: BatchBounds;
  durable: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'group commit, durable', durable: true },
  { name: 'one commit per debit, durable', batch: { itemsMax: 1 }, durable: true },
  { name: 'group commit, synchronous=NORMAL (not durable)', durable: false },
];

export async function ledgerInProcess(kind: 'sqlite' | 'postgres', dir: string, postgresUrl: string, debits: number): Promise<LedgerResult[]> {
  const results: LedgerResult[] = [];
  let run = 0;
  for (const wallets of [1, 1_000]) {
    for (const variant of VARIANTS) {
      if (kind === 'postgres' && !variant.durable) continue;
      run += 1;
      const store = await freshStore(kind, dir, postgresUrl, `ledger_${run}`, variant.batch, variant.durable);
      try {
        const tenants = await openWallets(store, wallets);
        results.push({ name: `ledger in-process, ${variant.name}`, wallets, txPerSecond: await debitConcurrently(store, tenants, debits) });
      } finally {
        await store.close();
      }
    }
  }
  return results;
}

async function freshStore(kind: 'sqlite' | 'postgres', dir: string, postgresUrl: string, name: string, batch: BatchBounds | undefined, durable: boolean): Promise<Store> {
  if (kind === 'sqlite') {
    const store = openStore(`sqlite:${join(dir, `${name}.sqlite`)}`, { durable, ...(batch ? { batch } : {}) });
    await migrateToLatest(store);
    return store;
  }
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`create schema ${name}`);
  await client.end();
  const store = openStore(postgresUrl, { pgSchema: name, ...(batch ? { batch } : {}) });
  await migrateToLatest(store);
  return store;
}

async function openWallets(store: Store, count: number): Promise<string[]> {
  const nowMs = Date.now();
  const ids = Array.from({ length: count }, (_, i) => `ten_ledger_${i}`);
  await store.transact(async (trx) => {
    for (const id of ids) {
      await trx.insertInto('tenants').values({ id, name: 'ledger bench', currency: 'BRL', status: 'active', stripe_customer_id: null, created_at_ms: BigInt(nowMs) }).execute();
      await openWallet(trx, id, 'BRL', nowMs);
    }
  });
  const ctx = ctxOf(store);
  for (const id of ids) await recordTransaction(ctx, posting(`fund:${id}`, id, FUNDS_MINOR, 'adjustments', 'adjustment'));
  return ids;
}

async function debitConcurrently(store: Store, tenants: string[], debits: number): Promise<number> {
  const ctx = ctxOf(store);
  let next = 0;
  const startMs = performance.now();
  const caller = async () => {
    while (next < debits) {
      const i = next;
      next += 1;
      const tenantId = tenants[i % tenants.length] as string;
      await recordTransaction(ctx, posting(`usage:${tenantId}:${i}`, tenantId, -1n, 'usage_revenue', 'usage'));
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  return debits / ((performance.now() - startMs) / 1000);
}

function ctxOf(store: Store): Ctx {
  // recordTransaction reads only the store and the clock.
  return { store, nowMs: () => Date.now() } as unknown as Ctx;
}

function posting(reference: string, tenantId: string, walletMinor: bigint, system: 'adjustments' | 'usage_revenue', kind: 'adjustment' | 'usage') {
  return {
    reference, kind, tenantId, currency: 'BRL', overdraft: walletMinor < 0n ? ('forbid' as const) : ('allow' as const),
    postings: [{ accountId: walletAccountId(tenantId), amountMinor: walletMinor }, { accountId: systemAccountId(system, 'BRL'), amountMinor: -walletMinor }],
  };
}
