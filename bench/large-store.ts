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
  await insertPostings(db, idFrom, currency);
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
 * is its wallet's starting balance plus its rank among that wallet's seeded rows (`purse ledger verify`'s
 * wallet_balance_after_chains).
 */
async function insertTransactions(db: BenchDatabase, transactions: number, others: number, currency: string): Promise<void> {
  const numbers = db.kind === 'postgres'
    ? `select g as i from generate_series(1, ${transactions}) as g`
    : `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${transactions}) select i from n`;
  const nowMs = Date.now();
  // Other tenant k gets the even rows with (i/2) mod n = k-1, i/2 ≥ 1: for k = 1 the first is i/2 = n.
  const rank = `case when s.k = 0 then (n.i + 1) / 2 else (n.i / 2 - s.k + 1) / ${others} + case when s.k = 1 then 0 else 1 end end`;
  const text = `insert into ledger_transactions (id, reference, tenant_id, number_id, kind, description, metadata, currency, wallet_amount_minor, wallet_balance_after_minor, created_at_ms)
    select 'txn_seed_' || n.i, 'seed:' || n.i, s.tenant_id, null, 'adjustment', 'bench seed', null, ${quote(currency)}, 1, s.base_minor + ${rank}, ${nowMs}
    from (${numbers}) as n
    join bench_seed s on s.k = case when n.i % 2 = 1 then 0 else (n.i / 2) % ${others} + 1 end
    order by n.i`;
  await db.query(text);
}

/**
 * The postings, and the credit blocks the database's credit-block triggers make of them (migration 0011):
 * each +1 credit to a wallet with no deficit opens an `adjustment` block of 1 (priority 50, the
 * transaction's description as reason) with one block posting. Those triggers take credits one by one
 * (PostgreSQL through PL/pgSQL; minutes for 500,000 on either database), so the trigger is off for this one
 * statement and the same rows are written set-based: `purse ledger verify`'s credit checks (a wallet's
 * balance is its blocks', a block's remaining its postings') hold as if each had gone through it.
 */
async function insertPostings(db: BenchDatabase, idFrom: number, currency: string): Promise<void> {
  const postings = `insert into ledger_postings (transaction_id, account_id, amount_minor, currency)
    select id, 'wallet:' || tenant_id, 1, currency from ledger_transactions where seq > ${idFrom}
    union all
    select id, ${quote(`system:adjustments:${currency}`)}, -1, currency from ledger_transactions where seq > ${idFrom}`;
  const blocks = `insert into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, cost_basis_minor, priority, expires_at_ms, state,
      source_transaction_id, order_id, attempt_id, reason, created_at_ms)
    select 'cb_' || substr(id, 5), tenant_id, 'wallet:' || tenant_id, currency, 'adjustment', 1, 1, null, 50, null, 'active', id, null, null, description, created_at_ms
    from ledger_transactions where seq > ${idFrom}`;
  const blockPostings = `insert into credit_block_postings (transaction_id, block_id, amount_minor)
    select id, 'cb_' || substr(id, 5), 1 from ledger_transactions where seq > ${idFrom}`;
  const [{ n: deficits }] = await db.query<{ n: number | string }>(`select count(*) as n from credit_blocks b join bench_seed s on b.account_id = 'wallet:' || s.tenant_id where b.remaining_minor < 0`) as [{ n: number | string }];
  if (Number(deficits) > 0) throw new Error('the large store seeds wallets without a deficit only');
  if (db.kind === 'sqlite') {
    // SQLite has no DISABLE TRIGGER: the trigger is dropped for the statement and made again from its own text.
    const [{ sql: trigger }] = await db.query<{ sql: string }>(`select sql from sqlite_master where type = 'trigger' and name = 'credit_blocks_follow_credit'`) as [{ sql: string }];
    await db.query('begin');
    await db.query('drop trigger credit_blocks_follow_credit');
    await db.query(postings);
    await db.query(trigger);
    await db.query(blocks);
    await db.query(blockPostings);
    await db.query('commit');
    return;
  }
  await db.query(`begin;
    alter table ledger_postings disable trigger credit_blocks_follow_wallet;
    ${postings};
    alter table ledger_postings enable trigger credit_blocks_follow_wallet;
    ${blocks};
    ${blockPostings};
    commit`);
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
