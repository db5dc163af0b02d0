import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Issue 24: `usage_hourly`, spending per wallet per UTC hour, per number and description, written in the
 * same statement batch as each debit or capture (ledger/usage-rollup.ts), so the usage summary reads a few
 * hundred rows instead of scanning millions of transactions. `number_id` and `description` are '' when the
 * transaction has none (a primary key cannot hold NULL on PostgreSQL). Spending is positive minor units.
 * Backfilled from the ledger here; `purse ledger verify` proves the two agree (usage_rollup_matches_ledger).
 *
 * `payment_methods.fingerprint`: Stripe's card fingerprint (same card number, same value), so that saving a
 * card the tenant already has (the auto top-up recovery page pays with it again) replaces it instead of
 * listing it twice. Null for cards saved before this migration.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('usage_hourly')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('hour_ms', 'bigint', (c) => c.notNull())
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_hourly_pk', ['tenant_id', 'hour_ms', 'number_id', 'description'])
    .execute();
  await sql`INSERT INTO usage_hourly (tenant_id, hour_ms, number_id, description, currency, amount_minor, count)
    SELECT tenant_id, created_at_ms - (created_at_ms % 3600000), COALESCE(number_id, ''), COALESCE(description, ''), currency,
      -SUM(wallet_amount_minor), COUNT(*)
    FROM ledger_transactions WHERE kind IN ('usage', 'hold_capture') AND tenant_id IS NOT NULL
    GROUP BY tenant_id, created_at_ms - (created_at_ms % 3600000), COALESCE(number_id, ''), COALESCE(description, ''), currency`.execute(db);
  await db.schema.alterTable('payment_methods').addColumn('fingerprint', 'text').execute();
  await db.schema.createIndex('payment_methods_fingerprint').on('payment_methods').columns(['tenant_id', 'fingerprint'])
    .where(sql.ref('fingerprint'), 'is not', null).execute();
}
