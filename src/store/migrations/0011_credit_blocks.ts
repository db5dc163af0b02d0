import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Credit blocks (issue 21, SPEC §9.1). A wallet's balance is the sum of its blocks' `remaining_minor`.
 *
 * The blocks move with the wallet inside the database, by a trigger on `ledger_postings`: every posting to a
 * wallet account (whatever path wrote it — the one-statement PostgreSQL form, the batched PostingRun, the
 * SQLite three statements) draws down or credits blocks in the same statement, so the hot path keeps its
 * one durable commit and no path can forget the blocks. What it did is written to `credit_block_postings`
 * (transaction → block → signed amount), so a transaction says which blocks it drew from.
 *
 * - A positive posting first pays back the wallet's deficit block (if an overdraft left it negative), then
 *   creates a block whose id is `cb_` + the transaction id's suffix. Its category, priority, expiry, cost
 *   basis and source come from a `credit_block_intents` row keyed by the ledger reference when the app
 *   wrote one (grants, top-ups), else from the transaction kind (top-ups: purchased, their order or attempt
 *   id read from the reference `topup:{orderId}` / `auto_topup:{attemptId}`; others: adjustment).
 * - A negative posting draws in draw-down order: the intent's `first_block_id` (a refund's own top-up block,
 *   the block an expiry or void empties), then lowest priority, earliest expiry (none last), oldest. A
 *   usage debit never draws from a block whose expiry is at or before the debit's time; if the other
 *   blocks cannot cover it, the statement fails (`purse:credit_blocks_short`, answered INSUFFICIENT_FUNDS).
 *   Any other kind that cannot be covered leaves the rest on the deficit block (`cb_deficit_{tenant}`).
 *
 * Existing wallets: one block `cb_migrated_{tenant}` holding today's balance (its `opening_minor`), or the
 * deficit block when the balance is negative, so every balance is the sum of its blocks from the start.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('credit_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('opening_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('remaining_minor', 'bigint', (c) => c.notNull())
    .addColumn('cost_basis_minor', 'bigint')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source_transaction_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('attempt_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('expiring_notified_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ended_at_ms', 'bigint')
    .addCheckConstraint('credit_blocks_state', sql`state in ('active', 'expired', 'voided')`)
    .addCheckConstraint('credit_blocks_category', sql`category in ('purchased', 'promotional', 'adjustment', 'deficit')`)
    .addCheckConstraint('credit_blocks_sign', sql`remaining_minor >= 0 or category = 'deficit'`)
    .execute();
  await db.schema.createIndex('credit_blocks_draw').on('credit_blocks').columns(['account_id', 'state', 'priority']).execute();
  await db.schema.createIndex('credit_blocks_expiry').on('credit_blocks').columns(['state', 'expires_at_ms']).execute();
  await db.schema.createIndex('credit_blocks_tenant').on('credit_blocks').columns(['tenant_id', 'created_at_ms']).execute();
  await db.schema
    .createTable('credit_block_postings')
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('block_id', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('credit_block_postings_pk', ['transaction_id', 'block_id'])
    .execute();
  await db.schema.createIndex('credit_block_postings_block').on('credit_block_postings').column('block_id').execute();
  await db.schema
    .createTable('credit_block_intents')
    .addColumn('reference', 'text', (c) => c.primaryKey())
    .addColumn('category', 'text')
    .addColumn('priority', 'integer')
    .addColumn('expires_at_ms', 'bigint')
    .addColumn('cost_basis_minor', 'bigint')
    .addColumn('order_id', 'text')
    .addColumn('attempt_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('first_block_id', 'text')
    .execute();
  await openAccounts(db);
  await migrateBalances(db);
  if (dialect === 'postgres') await pgTrigger(db);
  else await sqliteTrigger(db);
}

async function openAccounts(db: Kysely<unknown>): Promise<void> {
  for (const kind of ['promotions', 'expired_credits']) {
    await sql`insert into ledger_accounts (id, tenant_id, kind, currency, created_at_ms)
      select distinct 'system:' || ${kind} || ':' || currency, null, ${kind}, currency, 0 from wallets where true
      on conflict (id) do nothing`.execute(db);
  }
}

async function migrateBalances(db: Kysely<unknown>): Promise<void> {
  await sql`insert into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, opening_minor, remaining_minor, priority, state, reason, created_at_ms)
    select case when balance_minor < 0 then 'cb_deficit_' || tenant_id else 'cb_migrated_' || tenant_id end, tenant_id, account_id, currency,
      case when balance_minor < 0 then 'deficit' else 'purchased' end, balance_minor, balance_minor, balance_minor,
      case when balance_minor < 0 then 0 else 100 end, 'active', 'balance before credit blocks', updated_at_ms
    from wallets where balance_minor <> 0`.execute(db);
}

/** Window over the wallet's eligible blocks in draw-down order, shared by both dialects (no CTE: SQLite triggers refuse them). */
function drawSelect(amount: string, least: string, greatest: string): string {
  return `select id, ${least}(remaining_minor, ${greatest}(0, ${amount} - (cum - remaining_minor))) as draw from (
      select b.id, b.remaining_minor, sum(b.remaining_minor) over (order by
        case when b.id = (select first_block_id from credit_block_intents where reference = t_reference) then 0 else 1 end,
        b.priority, case when b.expires_at_ms is null then 1 else 0 end, b.expires_at_ms, b.created_at_ms, b.id rows unbounded preceding) as cum
      from credit_blocks b
      where b.account_id = NEW.account_id and b.state = 'active' and b.remaining_minor > 0
        and (t_kind <> 'usage' or b.expires_at_ms is null or b.expires_at_ms > t_created)
    ) ordered`;
}

async function sqliteTrigger(db: Kysely<unknown>): Promise<void> {
  const txn = (column: string) => `(select ${column} from ledger_transactions where id = NEW.transaction_id)`;
  const bind = (text: string) => text.replaceAll('t_reference', txn('reference')).replaceAll('t_kind', txn('kind')).replaceAll('t_created', txn('created_at_ms'));
  const tenant = `substr(NEW.account_id, 8)`;
  const deficit = `'cb_deficit_' || ${tenant}`;
  const intent = (column: string) => `(select ${column} from credit_block_intents where reference = ${txn('reference')})`;
  const credited = `(NEW.amount_minor - coalesce((select -remaining_minor from credit_blocks where id = ${deficit} and remaining_minor < 0), 0))`;
  const newBlock = `'cb_' || substr(NEW.transaction_id, 5)`;
  const category = `coalesce(${intent('category')}, case when ${txn('kind')} in ('topup', 'auto_topup') then 'purchased' else 'adjustment' end)`;
  await sql.raw(`create trigger credit_blocks_follow_wallet after insert on ledger_postings
    when NEW.account_id like 'wallet:%' and NEW.amount_minor < 0
    begin
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, id, -draw from (${bind(drawSelect('(-NEW.amount_minor)', 'min', 'max'))}) where draw > 0;
      select raise(abort, 'purse:credit_blocks_short') where ${txn('kind')} = 'usage'
        and (select coalesce(sum(-amount_minor), 0) from credit_block_postings where transaction_id = NEW.transaction_id) < -NEW.amount_minor;
      insert or ignore into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, priority, state, created_at_ms)
        select ${deficit}, ${tenant}, NEW.account_id, NEW.currency, 'deficit', 0, 0, 0, 'active', ${txn('created_at_ms')}
        where (select coalesce(sum(-amount_minor), 0) from credit_block_postings where transaction_id = NEW.transaction_id) < -NEW.amount_minor;
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, ${deficit}, NEW.amount_minor + s from (select coalesce(sum(-amount_minor), 0) as s from credit_block_postings where transaction_id = NEW.transaction_id)
        where s < -NEW.amount_minor;
      ${applyPostings}
    end`).execute(db);
  await sql.raw(`create trigger credit_blocks_follow_credit after insert on ledger_postings
    when NEW.account_id like 'wallet:%' and NEW.amount_minor > 0
    begin
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, id, min(-remaining_minor, NEW.amount_minor) from credit_blocks where id = ${deficit} and remaining_minor < 0;
      insert into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, cost_basis_minor, priority, expires_at_ms, state,
          source_transaction_id, order_id, attempt_id, reason, created_at_ms)
        select ${newBlock}, ${tenant}, NEW.account_id, NEW.currency, ${category}, NEW.amount_minor, 0,
          coalesce(${intent('cost_basis_minor')}, case when ${category} = 'purchased' then NEW.amount_minor end),
          coalesce(${intent('priority')}, case ${category} when 'promotional' then 10 when 'adjustment' then 50 else 100 end),
          ${intent('expires_at_ms')}, 'active', NEW.transaction_id,
          coalesce(${intent('order_id')}, case when ${txn('kind')} = 'topup' then substr(${txn('reference')}, 7) end),
          coalesce(${intent('attempt_id')}, case when ${txn('kind')} = 'auto_topup' then substr(${txn('reference')}, 12) end), coalesce(${intent('reason')}, ${txn('description')}), ${txn('created_at_ms')}
        where ${credited} > 0;
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, ${newBlock}, ${credited} where ${credited} > 0;
      ${applyPostings}
    end`).execute(db);
}

const applyPostings = `update credit_blocks set remaining_minor = remaining_minor
        + (select p.amount_minor from credit_block_postings p where p.transaction_id = NEW.transaction_id and p.block_id = credit_blocks.id)
        where id in (select block_id from credit_block_postings where transaction_id = NEW.transaction_id);`;

async function pgTrigger(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create function credit_blocks_follow_wallet() returns trigger language plpgsql as $$
    declare
      t_reference text; t_kind text; t_description text; t_created bigint; drawn bigint; credited bigint;
      tenant text := substr(NEW.account_id, 8);
      deficit text := 'cb_deficit_' || substr(NEW.account_id, 8);
      new_block text := 'cb_' || substr(NEW.transaction_id, 5);
      intent credit_block_intents%rowtype;
      cat text;
    begin
      select reference, kind, description, created_at_ms into t_reference, t_kind, t_description, t_created from ledger_transactions where id = NEW.transaction_id;
      if NEW.amount_minor < 0 then
        insert into credit_block_postings (transaction_id, block_id, amount_minor)
          select NEW.transaction_id, id, -draw from (${drawSelect('(-NEW.amount_minor)', 'least', 'greatest')}) d where draw > 0;
        select coalesce(sum(-amount_minor), 0) into drawn from credit_block_postings where transaction_id = NEW.transaction_id;
        if drawn < -NEW.amount_minor then
          if t_kind = 'usage' then raise exception 'purse:credit_blocks_short'; end if;
          insert into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, priority, state, created_at_ms)
            values (deficit, tenant, NEW.account_id, NEW.currency, 'deficit', 0, 0, 0, 'active', t_created) on conflict (id) do nothing;
          insert into credit_block_postings (transaction_id, block_id, amount_minor) values (NEW.transaction_id, deficit, NEW.amount_minor + drawn);
        end if;
      else
        insert into credit_block_postings (transaction_id, block_id, amount_minor)
          select NEW.transaction_id, id, least(-remaining_minor, NEW.amount_minor) from credit_blocks where id = deficit and remaining_minor < 0;
        select NEW.amount_minor - coalesce(sum(amount_minor), 0) into credited from credit_block_postings where transaction_id = NEW.transaction_id;
        if credited > 0 then
          select * into intent from credit_block_intents where reference = t_reference;
          cat := coalesce(intent.category, case when t_kind in ('topup', 'auto_topup') then 'purchased' else 'adjustment' end);
          insert into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, cost_basis_minor, priority, expires_at_ms, state,
              source_transaction_id, order_id, attempt_id, reason, created_at_ms)
            values (new_block, tenant, NEW.account_id, NEW.currency, cat, NEW.amount_minor, 0,
              coalesce(intent.cost_basis_minor, case when cat = 'purchased' then NEW.amount_minor end),
              coalesce(intent.priority, case cat when 'promotional' then 10 when 'adjustment' then 50 else 100 end),
              intent.expires_at_ms, 'active', NEW.transaction_id,
              coalesce(intent.order_id, case when t_kind = 'topup' then substr(t_reference, 7) end),
              coalesce(intent.attempt_id, case when t_kind = 'auto_topup' then substr(t_reference, 12) end), coalesce(intent.reason, t_description), t_created);
          insert into credit_block_postings (transaction_id, block_id, amount_minor) values (NEW.transaction_id, new_block, credited);
        end if;
      end if;
      ${applyPostings}
      return null;
    end $$`).execute(db);
  await sql.raw(`create trigger credit_blocks_follow_wallet after insert on ledger_postings
    for each row when (NEW.account_id like 'wallet:%') execute function credit_blocks_follow_wallet()`).execute(db);
}
