import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Issue 21, performance: on PostgreSQL the credit blocks follow a posting STATEMENT, not each posting row.
 *
 * 0011's row trigger ran four statements per wallet posting, and a batch of N usage debits on one wallet
 * updated the same block row N times in one transaction (a chain of N row versions every later lookup
 * walks). The statement trigger here sees the statement's postings as a transition table and, in the
 * common case — every wallet posting of the statement a usage debit, none with a credit-block intent, one
 * debit time per wallet — draws them all down in one statement: the debits of a wallet laid end to end
 * (in posting order) against its eligible blocks laid end to end (in draw-down order), each debit taking
 * the overlap of its interval with each block's. That is exactly what drawing them one after the other
 * gives, since every such debit sees the same blocks in the same order; each block is updated once.
 * A usage debit the blocks cannot cover still fails the statement with `purse:credit_blocks_short`.
 *
 * Anything else (credits, other kinds, intents: grants, refunds, expiries, voids) runs 0011's logic per
 * posting in posting order, unchanged, as `credit_blocks_apply_posting`.
 *
 * SQLite has no statement triggers: its debit trigger stays per posting, but first tries the first block in
 * draw-down order alone (a top-1 scan, no window over every block): when that block covers the whole
 * debit — almost every usage debit — it is the whole draw, exactly what 0011's window gives, and the
 * window statement is skipped. Otherwise 0011's statements run as before. Same meaning on both databases.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql.raw('drop trigger credit_blocks_follow_wallet').execute(db);
    await sql.raw(sqliteDebitTrigger()).execute(db);
    return;
  }
  await sql.raw(APPLY_POSTING).execute(db);
  await sql.raw(FOLLOW_STATEMENT).execute(db);
  await sql.raw('drop trigger credit_blocks_follow_wallet on ledger_postings').execute(db);
  await sql.raw('drop function credit_blocks_follow_wallet()').execute(db);
  await sql.raw(`create trigger credit_blocks_follow_wallet after insert on ledger_postings
    referencing new table as inserted for each statement execute function credit_blocks_follow_statement()`).execute(db);
}

/** 0011's row trigger body as a function of one posting (p), for the postings the set form does not take. */
const APPLY_POSTING = `create function credit_blocks_apply_posting(p ledger_postings) returns void language plpgsql as $$
  declare
    t_reference text; t_kind text; t_description text; t_created bigint; drawn bigint; credited bigint;
    tenant text := substr(p.account_id, 8);
    deficit text := 'cb_deficit_' || substr(p.account_id, 8);
    new_block text := 'cb_' || substr(p.transaction_id, 5);
    intent credit_block_intents%rowtype;
    cat text;
  begin
    select reference, kind, description, created_at_ms into t_reference, t_kind, t_description, t_created from ledger_transactions where id = p.transaction_id;
    if p.amount_minor < 0 then
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select p.transaction_id, id, -draw from (
          select id, least(remaining_minor, greatest(0, -p.amount_minor - (cum - remaining_minor))) as draw from (
            select b.id, b.remaining_minor, sum(b.remaining_minor) over (order by
              case when b.id = (select first_block_id from credit_block_intents where reference = t_reference) then 0 else 1 end,
              b.priority, case when b.expires_at_ms is null then 1 else 0 end, b.expires_at_ms, b.created_at_ms, b.id rows unbounded preceding) as cum
            from credit_blocks b
            where b.account_id = p.account_id and b.state = 'active' and b.remaining_minor > 0
              and (t_kind <> 'usage' or b.expires_at_ms is null or b.expires_at_ms > t_created)
          ) ordered
        ) d where draw > 0;
      select coalesce(sum(-amount_minor), 0) into drawn from credit_block_postings where transaction_id = p.transaction_id;
      if drawn < -p.amount_minor then
        if t_kind = 'usage' then raise exception 'purse:credit_blocks_short'; end if;
        insert into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, priority, state, created_at_ms)
          values (deficit, tenant, p.account_id, p.currency, 'deficit', 0, 0, 0, 'active', t_created) on conflict (id) do nothing;
        insert into credit_block_postings (transaction_id, block_id, amount_minor) values (p.transaction_id, deficit, p.amount_minor + drawn);
      end if;
    else
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select p.transaction_id, id, least(-remaining_minor, p.amount_minor) from credit_blocks where id = deficit and remaining_minor < 0;
      select p.amount_minor - coalesce(sum(amount_minor), 0) into credited from credit_block_postings where transaction_id = p.transaction_id;
      if credited > 0 then
        select * into intent from credit_block_intents where reference = t_reference;
        cat := coalesce(intent.category, case when t_kind in ('topup', 'auto_topup') then 'purchased' else 'adjustment' end);
        insert into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, cost_basis_minor, priority, expires_at_ms, state,
            source_transaction_id, order_id, attempt_id, reason, created_at_ms)
          values (new_block, tenant, p.account_id, p.currency, cat, p.amount_minor, 0,
            coalesce(intent.cost_basis_minor, case when cat = 'purchased' then p.amount_minor end),
            coalesce(intent.priority, case cat when 'promotional' then 10 when 'adjustment' then 50 else 100 end),
            intent.expires_at_ms, 'active', p.transaction_id,
            coalesce(intent.order_id, case when t_kind = 'topup' then substr(t_reference, 7) end),
            coalesce(intent.attempt_id, case when t_kind = 'auto_topup' then substr(t_reference, 12) end), coalesce(intent.reason, t_description), t_created);
        insert into credit_block_postings (transaction_id, block_id, amount_minor) values (p.transaction_id, new_block, credited);
      end if;
    end if;
    update credit_blocks set remaining_minor = remaining_minor
      + (select bp.amount_minor from credit_block_postings bp where bp.transaction_id = p.transaction_id and bp.block_id = credit_blocks.id)
      where id in (select block_id from credit_block_postings where transaction_id = p.transaction_id);
  end $$`;

/**
 * The statement trigger: the set form when it applies (see the file comment), else each wallet posting in
 * posting order. `upto` is where an interval ends when a wallet's debits (or blocks) are laid end to end.
 */
const FOLLOW_STATEMENT = `create function credit_blocks_follow_statement() returns trigger language plpgsql as $$
  declare
    one_by_one boolean; short bigint; posting ledger_postings;
  begin
    select coalesce(bool_or(n.amount_minor > 0 or t.kind <> 'usage' or i.reference is not null), false)
        or count(distinct n.account_id) <> count(distinct (n.account_id, t.created_at_ms))
      into one_by_one
      from inserted n join ledger_transactions t on t.id = n.transaction_id left join credit_block_intents i on i.reference = t.reference
      where n.account_id like 'wallet:%';
    if one_by_one then
      for posting in select * from inserted where account_id like 'wallet:%' order by seq loop
        perform credit_blocks_apply_posting(posting);
      end loop;
      return null;
    end if;
    with debits as (
      select n.transaction_id, n.account_id, -n.amount_minor as amount, t.created_at_ms as at_ms,
        sum(-n.amount_minor) over (partition by n.account_id order by n.seq rows unbounded preceding) as upto
      from inserted n join ledger_transactions t on t.id = n.transaction_id
      where n.account_id like 'wallet:%'
    ), wallets as (
      select account_id, max(at_ms) as at_ms, sum(amount) as amount from debits group by account_id
    ), blocks as (
      select b.id, b.account_id, b.remaining_minor as amount, sum(b.remaining_minor) over (partition by b.account_id order by
          b.priority, case when b.expires_at_ms is null then 1 else 0 end, b.expires_at_ms, b.created_at_ms, b.id rows unbounded preceding) as upto
      from credit_blocks b join wallets w on w.account_id = b.account_id
      where b.state = 'active' and b.remaining_minor > 0 and (b.expires_at_ms is null or b.expires_at_ms > w.at_ms)
    ), drawn as (
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select d.transaction_id, b.id, greatest(d.upto - d.amount, b.upto - b.amount) - least(d.upto, b.upto)
        from debits d join blocks b on b.account_id = d.account_id and b.upto - b.amount < d.upto and d.upto - d.amount < b.upto
        returning block_id, amount_minor
    ), moved as (
      update credit_blocks c set remaining_minor = c.remaining_minor + s.amount
        from (select block_id, sum(amount_minor) as amount from drawn group by block_id) s where c.id = s.block_id
        returning 1
    )
    select count(*) + 0 * (select count(*) from moved) into short
      from wallets w where w.amount > coalesce((select max(b.upto) from blocks b where b.account_id = w.account_id), 0);
    if short > 0 then raise exception 'purse:credit_blocks_short'; end if;
    return null;
  end $$`;

/** 0011's SQLite debit trigger (`credit_blocks_follow_wallet`), with the one-block draw first. */
function sqliteDebitTrigger(): string {
  const txn = (column: string) => `(select ${column} from ledger_transactions where id = NEW.transaction_id)`;
  const tenant = 'substr(NEW.account_id, 8)';
  const deficit = `'cb_deficit_' || ${tenant}`;
  const drawn = 'select coalesce(sum(-amount_minor), 0) from credit_block_postings where transaction_id = NEW.transaction_id';
  const eligible = `b.account_id = NEW.account_id and b.state = 'active' and b.remaining_minor > 0
        and (${txn('kind')} <> 'usage' or b.expires_at_ms is null or b.expires_at_ms > ${txn('created_at_ms')})`;
  const order = `case when b.id = (select first_block_id from credit_block_intents where reference = ${txn('reference')}) then 0 else 1 end,
        b.priority, case when b.expires_at_ms is null then 1 else 0 end, b.expires_at_ms, b.created_at_ms, b.id`;
  return `create trigger credit_blocks_follow_wallet after insert on ledger_postings
    when NEW.account_id like 'wallet:%' and NEW.amount_minor < 0
    begin
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, id, NEW.amount_minor from (
          select b.id, b.remaining_minor from credit_blocks b where ${eligible} order by ${order} limit 1
        ) where remaining_minor >= -NEW.amount_minor;
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, id, -draw from (
          select id, min(remaining_minor, max(0, (-NEW.amount_minor) - (cum - remaining_minor))) as draw from (
            select b.id, b.remaining_minor, sum(b.remaining_minor) over (order by ${order} rows unbounded preceding) as cum
            from credit_blocks b
            where not exists (select 1 from credit_block_postings where transaction_id = NEW.transaction_id) and ${eligible}
          ) ordered
        ) where draw > 0;
      select raise(abort, 'purse:credit_blocks_short') where ${txn('kind')} = 'usage' and (${drawn}) < -NEW.amount_minor;
      insert or ignore into credit_blocks (id, tenant_id, account_id, currency, category, amount_minor, remaining_minor, priority, state, created_at_ms)
        select ${deficit}, ${tenant}, NEW.account_id, NEW.currency, 'deficit', 0, 0, 0, 'active', ${txn('created_at_ms')}
        where (${drawn}) < -NEW.amount_minor;
      insert into credit_block_postings (transaction_id, block_id, amount_minor)
        select NEW.transaction_id, ${deficit}, NEW.amount_minor + s from (select (${drawn}) as s) where s < -NEW.amount_minor;
      update credit_blocks set remaining_minor = remaining_minor
        + (select p.amount_minor from credit_block_postings p where p.transaction_id = NEW.transaction_id and p.block_id = credit_blocks.id)
        where id in (select block_id from credit_block_postings where transaction_id = NEW.transaction_id);
    end`;
}
