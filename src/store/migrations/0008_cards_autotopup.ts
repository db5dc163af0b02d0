import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Cards on file and auto top-up (SPEC §8.1, §8.2).
 * - One default card per tenant, enforced by a unique partial index (same meaning on SQLite and PostgreSQL).
 *   Rows written before it could hold two defaults (two concurrent saves): the oldest keeps the flag.
 * - wallets.auto_topup_threshold_minor: set only while auto top-up is active and nothing is in flight, so the
 *   statement that moves a wallet already knows whether the movement crossed the threshold.
 * - At most one attempt in flight per wallet: a unique partial index over the in-flight states.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await sql`update payment_methods set is_default = 0
    where is_default = 1 and removed_at_ms is null and exists (
      select 1 from payment_methods older where older.tenant_id = payment_methods.tenant_id
        and older.is_default = 1 and older.removed_at_ms is null
        and (older.created_at_ms < payment_methods.created_at_ms
          or (older.created_at_ms = payment_methods.created_at_ms and older.id < payment_methods.id)))`.execute(db);
  await db.schema.createIndex('payment_methods_one_default').unique().on('payment_methods').column('tenant_id')
    .where(sql.ref('is_default'), '=', 1).where(sql.ref('removed_at_ms'), 'is', null).execute();

  await db.schema.alterTable('wallets').addColumn('auto_topup_threshold_minor', 'bigint').execute();

  await db.schema
    .createTable('auto_topup_configs')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('threshold_minor', 'bigint', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint')
    .addColumn('target_balance_minor', 'bigint')
    .addColumn('monthly_cap_minor', 'bigint')
    // The tenant's top-up limits when configured: a target-balance charge is clamped to them.
    .addColumn('charge_min_minor', 'bigint', (c) => c.notNull())
    .addColumn('charge_max_minor', 'bigint', (c) => c.notNull())
    .addColumn('paused_reason', 'text')
    .addColumn('recovery_attempt_id', 'text')
    .addColumn('consecutive_failures', 'bigint', (c) => c.notNull())
    // A declined attempt's retry: due then, standing in for new triggers until it has run.
    .addColumn('retry_at_ms', 'bigint')
    // The UTC month ("2026-12") whose auto_topup.capped event was sent: once per month.
    .addColumn('capped_month', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auto_topup_configs_retry').on('auto_topup_configs').columns(['state', 'retry_at_ms']).execute();

  await db.schema
    .createTable('auto_topup_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('payment_method_id', 'text')
    .addColumn('payment_intent_id', 'text')
    .addColumn('recovery_session_id', 'text')
    .addColumn('recovery_url', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('ledger_transaction_id', 'text')
    .addColumn('claimed_until_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('completed_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('auto_topup_attempts_one_in_flight').unique().on('auto_topup_attempts').column('tenant_id')
    .where(sql.ref('state'), 'in', sql`('pending', 'processing')`).execute();
  await db.schema.createIndex('auto_topup_attempts_tenant').on('auto_topup_attempts').columns(['tenant_id', 'created_at_ms']).execute();
  await db.schema.createIndex('auto_topup_attempts_state').on('auto_topup_attempts').columns(['state', 'claimed_until_ms']).execute();
  await db.schema.createIndex('auto_topup_attempts_payment_intent').on('auto_topup_attempts').column('payment_intent_id').execute();
}
