import type { BenchDatabase } from './fixtures.ts';

/**
 * Large-store mode: ≥ 1,000,000 postings written straight into the database with set-based SQL (not
 * through HTTP), balanced like any other transaction — +1 to a wallet, −1 to the adjustments account —
 * with the wallets' cached balances moved to match, so the ledger still verifies. Half the transactions
 * belong to the reader tenant (whose balance and history the reads measure), half are spread over the
 * 1,000 other wallets.
 */
const POSTINGS_PER_SEEDED_TRANSACTION = 2;

export interface SeedResult {
  postingsAdded: number;
  postingsTotal: number;
  readerTransactions: number;
  seconds: number;
}

export async function seedLargeStore(db: BenchDatabase, readerTenantId: string, otherTenantIds: string[], currency: string, postings: number): Promise<SeedResult> {
  if (otherTenantIds.length === 0) throw new Error('the large store needs other tenants to interleave with the reader');
  const startMs = performance.now();
  const transactions = postings / POSTINGS_PER_SEEDED_TRANSACTION;
  const [{ seq: seqBefore }] = await db.query<{ seq: number | string | null }>('select coalesce(max(seq), 0) as seq from ledger_transactions') as [{ seq: number | string | null }];
  await db.query('create table bench_seed (k integer primary key, tenant_id text not null, base_minor bigint not null)');
  const seedTenants = [readerTenantId, ...otherTenantIds].map((id, k) => `(${k}, ${quote(id)}, 0)`).join(', ');
  await db.query(`insert into bench_seed (k, tenant_id, base_minor) values ${seedTenants}`);
  await db.query('update bench_seed set base_minor = (select w.balance_minor from wallets w where w.tenant_id = bench_seed.tenant_id)');
  await insertTransactions(db, transactions, otherTenantIds.length, currency);
  const idFrom = Number(seqBefore ?? 0);
  await db.query(`insert into ledger_postings (transaction_id, account_id, amount_minor, currency)
    select id, 'wallet:' || tenant_id, 1, currency from ledger_transactions where seq > ${idFrom}
    union all
    select id, ${quote(`system:adjustments:${currency}`)}, -1, currency from ledger_transactions where seq > ${idFrom}`);
  await db.query(`update wallets set balance_minor = balance_minor + (select count(*) from ledger_transactions t where t.tenant_id = wallets.tenant_id and t.seq > ${idFrom})
    where tenant_id in (select tenant_id from bench_seed)`);
  await db.query('drop table bench_seed');
  await settleAfterBulkLoad(db);
  const [{ n: total }] = await db.query<{ n: number | string }>('select count(*) as n from ledger_postings') as [{ n: number | string }];
  const [{ n: reader }] = await db.query<{ n: number | string }>(`select count(*) as n from ledger_transactions where tenant_id = ${quote(readerTenantId)}`) as [{ n: number | string }];
  return { postingsAdded: postings, postingsTotal: Number(total), readerTransactions: Number(reader), seconds: (performance.now() - startMs) / 1000 };
}

/**
 * Row i (1-based) goes to the reader when odd, else to other tenant (i/2 mod n)+1; each row's balance after
 * is its wallet's starting balance plus its rank among that wallet's seeded rows.
 */
async function insertTransactions(db: BenchDatabase, transactions: number, others: number, currency: string): Promise<void> {
  const numbers = db.kind === 'postgres'
    ? `select g as i from generate_series(1, ${transactions}) as g`
    : `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${transactions}) select i from n`;
  const nowMs = Date.now();
  const rank = `case when s.k = 0 then (n.i + 1) / 2 else (n.i / 2 - s.k + 1) / ${others} + 1 end`;
  const text = `insert into ledger_transactions (id, reference, tenant_id, number_id, kind, description, metadata, currency, wallet_amount_minor, wallet_balance_after_minor, created_at_ms)
    select 'txn_seed_' || n.i, 'seed:' || n.i, s.tenant_id, null, 'adjustment', 'bench seed', null, ${quote(currency)}, 1, s.base_minor + ${rank}, ${nowMs}
    from (${numbers}) as n
    join bench_seed s on s.k = case when n.i % 2 = 1 then 0 else (n.i / 2) % ${others} + 1 end
    order by n.i`;
  await db.query(text);
}

/**
 * What a live store reaches on its own after a bulk load, done now so the reads measure the store's size
 * and not the aftermath of loading it: SQLite's WAL copied back and truncated (Purse's checkpointer would
 * take a while over a few hundred megabytes, and reads look pages up in the WAL meanwhile); PostgreSQL's
 * autovacuum (visibility map, so index-only scans) and statistics.
 */
async function settleAfterBulkLoad(db: BenchDatabase): Promise<void> {
  if (db.kind === 'sqlite') await db.query('pragma wal_checkpoint(TRUNCATE)');
  else await db.query('vacuum analyze');
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A cursor into the middle of the reader's history: a page there must cost what the first page costs. */
export async function deepCursor(db: BenchDatabase, readerTenantId: string): Promise<string> {
  const [{ n }] = await db.query<{ n: number | string }>(`select count(*) as n from ledger_transactions where tenant_id = ${quote(readerTenantId)}`) as [{ n: number | string }];
  const rows = await db.query<{ seq: number | string }>(`select seq from ledger_transactions where tenant_id = ${quote(readerTenantId)} order by seq limit 1 offset ${Math.floor(Number(n) / 2)}`);
  const seq = rows[0]?.seq;
  if (seq === undefined) throw new Error('the reader has no history to page through');
  return Buffer.from(String(seq), 'utf8').toString('base64url');
}
