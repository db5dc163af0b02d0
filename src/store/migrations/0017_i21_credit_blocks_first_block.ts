import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Issue 21, performance, SQLite only: a usage debit that the first block covers costs two statements.
 *
 * A no-op on PostgreSQL, whose statement trigger (0015) already draws a whole batch down in one statement.
 * The meaning — draw-down order, what each block holds after, which blocks a transaction drew from — is
 * identical on both databases, as before; only the way SQLite gets there changes.
 *
 * 0015's SQLite debit trigger ran six statements per wallet debit even when the first block in draw-down
 * order (the intent's own block, then priority, earliest expiry, oldest) covered the whole debit, as it
 * almost always does: the top-1 draw, the window draw it skipped, the short-funds check, the deficit
 * block, the deficit posting and the block update through `credit_block_postings`. Now two triggers:
 *
 * - `credit_blocks_draw_first` (created last, so SQLite fires it first): writes the posting row for the
 *   first block when it covers the debit, then moves that one block. Two statements, nothing else. Any
 *   kind of debit (a usage debit, a capture, a refund's clawback of its own block) takes this path when
 *   one block covers it.
 * - `credit_blocks_follow_wallet`: 0011's general draw-down (window over the eligible blocks, short funds,
 *   deficit), only when no block posting exists yet for the transaction — so whichever order the two fire
 *   in, exactly one of them draws (a transaction has at most one wallet posting).
 *
 * `credit_blocks_draw_order` (replacing 0011's `credit_blocks_draw`, its prefix) holds a wallet's active blocks in
 * draw-down order after the intent's block, so the first one is read off the index instead of sorting every
 * block (the sort was half of 0015's cost per debit with 20 blocks). It holds no `remaining_minor`: a debit
 * moving a block writes no index.
 *
 * `credit_block_postings` becomes a WITHOUT ROWID table keyed by (transaction_id, block_id), without its
 * `block_id` index: each draw writes one b-tree instead of three (table, key index, block index), so each
 * commit writes fewer WAL pages. Nothing looks postings up by block alone (verify and the report scan or
 * join by transaction). The credit trigger, which names the table, is dropped and created again from its
 * own stored text, unchanged.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  const stored = await sql<{ sql: string }>`select sql from sqlite_master where type = 'trigger' and name = 'credit_blocks_follow_credit'`.execute(db);
  const creditTrigger = stored.rows[0]?.sql;
  if (!creditTrigger) throw new Error('0017: the credit_blocks_follow_credit trigger (0011) is missing');
  await sql.raw('drop trigger credit_blocks_follow_wallet').execute(db);
  await sql.raw('drop trigger credit_blocks_follow_credit').execute(db);
  await sql.raw(`create table credit_block_postings_keyed (
      transaction_id text not null, block_id text not null, amount_minor bigint not null,
      constraint credit_block_postings_pk primary key (transaction_id, block_id)
    ) without rowid`).execute(db);
  await sql.raw(`insert into credit_block_postings_keyed (transaction_id, block_id, amount_minor)
      select transaction_id, block_id, amount_minor from credit_block_postings`).execute(db);
  await sql.raw('drop table credit_block_postings').execute(db);
  await sql.raw('alter table credit_block_postings_keyed rename to credit_block_postings').execute(db);
  await sql.raw(creditTrigger).execute(db);
  await sql.raw('drop index credit_blocks_draw').execute(db);
  await sql.raw(`create index credit_blocks_draw_order on credit_blocks
    (account_id, state, priority, (${EXPIRY_LAST.replaceAll('o.', '')}), expires_at_ms, created_at_ms, id)`).execute(db);
  await sql.raw(GENERAL_DEBIT).execute(db);
  await sql.raw(FIRST_BLOCK_DEBIT).execute(db);
}

const TXN = (column: string) => `(select ${column} from ledger_transactions where id = NEW.transaction_id)`;
const NOTHING_DRAWN = 'not exists (select 1 from credit_block_postings where transaction_id = NEW.transaction_id)';
const EXPIRY_LAST = 'case when o.expires_at_ms is null then 1 else 0 end';
const ORDER = `case when b.id = %first% then 0 else 1 end,
        b.priority, case when b.expires_at_ms is null then 1 else 0 end, b.expires_at_ms, b.created_at_ms, b.id`;

/** 0011's debit statements (the window draw, short funds, deficit), for a debit the first block does not cover. */
const GENERAL_DEBIT = (() => {
  const tenant = 'substr(NEW.account_id, 8)';
  const deficit = `'cb_deficit_' || ${tenant}`;
  const drawn = 'select coalesce(sum(-amount_minor), 0) from credit_block_postings where transaction_id = NEW.transaction_id';
  const order = ORDER.replace('%first%', `(select first_block_id from credit_block_intents where reference = ${TXN('reference')})`);
  return `create trigger credit_blocks_follow_wallet after insert on ledger_postings
    when NEW.account_id like 'wallet:%' and NEW.amount_minor < 0 and ${NOTHING_DRAWN}
    begin
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, id, -draw from (
          select id, min(remaining_minor, max(0, (-NEW.amount_minor) - (cum - remaining_minor))) as draw from (
            select b.id, b.remaining_minor, sum(b.remaining_minor) over (order by ${order} rows unbounded preceding) as cum
            from credit_blocks b
            where b.account_id = NEW.account_id and b.state = 'active' and b.remaining_minor > 0
              and (${TXN('kind')} <> 'usage' or b.expires_at_ms is null or b.expires_at_ms > ${TXN('created_at_ms')})
          ) ordered
        ) where draw > 0;
      select raise(abort, 'purse:credit_blocks_short') where ${TXN('kind')} = 'usage' and (${drawn}) < -NEW.amount_minor;
      insert or ignore into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, priority, state, created_at_ms)
        select ${deficit}, ${tenant}, NEW.account_id, NEW.currency, 'deficit', 0, 0, 0, 'active', ${TXN('created_at_ms')}
        where (${drawn}) < -NEW.amount_minor;
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, ${deficit}, NEW.amount_minor + s from (select (${drawn}) as s) where s < -NEW.amount_minor;
      update credit_blocks set remaining_minor = remaining_minor
        + (select p.amount_minor from credit_block_postings p where p.transaction_id = NEW.transaction_id and p.block_id = credit_blocks.id)
        where id in (select block_id from credit_block_postings where transaction_id = NEW.transaction_id);
    end`;
})();

/**
 * The first eligible block in draw-down order — the intent's own block if it is eligible, else the first in
 * `credit_blocks_draw_order`, read straight off the index (no sort) — when it covers the whole debit: its
 * posting row, then its move (found again through that row, a key lookup). Nothing otherwise.
 */
const ELIGIBLE = `o.account_id = NEW.account_id and o.state = 'active' and o.remaining_minor > 0
          and (${TXN('kind')} <> 'usage' or o.expires_at_ms is null or o.expires_at_ms > ${TXN('created_at_ms')})`;
const FIRST_BLOCK_DEBIT = `create trigger credit_blocks_draw_first after insert on ledger_postings
    when NEW.account_id like 'wallet:%' and NEW.amount_minor < 0 and ${NOTHING_DRAWN}
    begin
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, b.id, NEW.amount_minor from credit_blocks b
        where b.remaining_minor >= -NEW.amount_minor and b.id = coalesce(
          (select o.id from credit_block_intents i join credit_blocks o on o.id = i.first_block_id
            where i.reference = ${TXN('reference')} and ${ELIGIBLE}),
          (select o.id from credit_blocks o where ${ELIGIBLE}
            order by o.priority, ${EXPIRY_LAST}, o.expires_at_ms, o.created_at_ms, o.id limit 1));
      update credit_blocks set remaining_minor = remaining_minor + NEW.amount_minor
        where id = (select block_id from credit_block_postings where transaction_id = NEW.transaction_id);
    end`;
