import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Money back for every kind of charge Purse makes (issue 19): a refund or dispute of an auto top-up's charge
 * (off-session, or the recovery page's on-session payment) is tied to its attempt, as one of a Checkout top-up
 * is to its order. `refund_clawbacks` and `disputes` gain `attempt_id`; `order_id` becomes optional; exactly
 * one of the two is set (CHECK). SQLite cannot drop a NOT NULL, so there the two tables are rebuilt with
 * the same columns, keys and indexes (nothing references them); PostgreSQL alters them in place.
 *
 * `stripe_events.waiting_for`: an event whose effect depends on a credit not applied yet (a refund that
 * overtook its checkout.session.completed) is parked on that credit's ledger reference instead of failing;
 * the credit's own transaction clears it, and the inbox applies the event then (stripe/inbox.ts).
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  if (dialect === 'postgres') await alterInPlace(db);
  else await rebuildOnSqlite(db);
  await db.schema.createIndex('disputes_attempt').on('disputes').column('attempt_id').where(sql.ref('attempt_id'), 'is not', null).execute();
  await db.schema.alterTable('stripe_events').addColumn('waiting_for', 'text').execute();
  await db.schema.createIndex('stripe_events_waiting').on('stripe_events').column('waiting_for').where(sql.ref('waiting_for'), 'is not', null).execute();
}

const ONE_SOURCE = sql`(order_id IS NULL) <> (attempt_id IS NULL)`;

async function alterInPlace(db: Kysely<unknown>): Promise<void> {
  for (const table of ['refund_clawbacks', 'disputes']) {
    await db.schema.alterTable(table).addColumn('attempt_id', 'text', (c) => c.references('auto_topup_attempts.id')).execute();
    await db.schema.alterTable(table).alterColumn('order_id', (c) => c.dropNotNull()).execute();
    await db.schema.alterTable(table).addCheckConstraint(`${table}_one_source`, ONE_SOURCE).execute();
  }
}

async function rebuildOnSqlite(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('refund_clawbacks_next')
    .addColumn('reference', 'text', (c) => c.primaryKey())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.references('checkout_orders.id'))
    .addColumn('attempt_id', 'text', (c) => c.references('auto_topup_attempts.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('amount_refunded_minor', 'bigint', (c) => c.notNull())
    .addColumn('clawed_back_minor', 'bigint', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull().references('ledger_transactions.id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addCheckConstraint('refund_clawbacks_one_source', ONE_SOURCE)
    .execute();
  await sql`INSERT INTO refund_clawbacks_next (reference, charge_id, order_id, attempt_id, tenant_id, amount_refunded_minor, clawed_back_minor, transaction_id, created_at_ms)
    SELECT reference, charge_id, order_id, NULL, tenant_id, amount_refunded_minor, clawed_back_minor, transaction_id, created_at_ms FROM refund_clawbacks`.execute(db);
  await db.schema.dropTable('refund_clawbacks').execute();
  await sql`ALTER TABLE refund_clawbacks_next RENAME TO refund_clawbacks`.execute(db);
  await db.schema.createIndex('refund_clawbacks_charge').on('refund_clawbacks').column('charge_id').execute();
  await db.schema
    .createTable('disputes_next')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.references('checkout_orders.id'))
    .addColumn('attempt_id', 'text', (c) => c.references('auto_topup_attempts.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('disputed_minor', 'bigint', (c) => c.notNull())
    .addColumn('held_minor', 'bigint', (c) => c.notNull())
    .addColumn('loss_transaction_id', 'text', (c) => c.references('ledger_transactions.id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('closed_at_ms', 'bigint')
    .addCheckConstraint('disputes_one_source', ONE_SOURCE)
    .execute();
  await sql`INSERT INTO disputes_next (id, charge_id, order_id, attempt_id, tenant_id, currency, state, disputed_minor, held_minor, loss_transaction_id, created_at_ms, updated_at_ms, closed_at_ms)
    SELECT id, charge_id, order_id, NULL, tenant_id, currency, state, disputed_minor, held_minor, loss_transaction_id, created_at_ms, updated_at_ms, closed_at_ms FROM disputes`.execute(db);
  await db.schema.dropTable('disputes').execute();
  await sql`ALTER TABLE disputes_next RENAME TO disputes`.execute(db);
  await db.schema.createIndex('disputes_tenant_state').on('disputes').columns(['tenant_id', 'state']).execute();
}
