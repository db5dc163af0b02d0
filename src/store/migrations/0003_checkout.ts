import type { Kysely } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/** Checkout orders, the Stripe webhook inbox, saved payment methods and API idempotency records. */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('checkout_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('success_url', 'text', (c) => c.notNull())
    .addColumn('cancel_url', 'text', (c) => c.notNull())
    .addColumn('checkout_url', 'text')
    .addColumn('stripe_customer_id', 'text')
    .addColumn('stripe_session_id', 'text', (c) => c.unique())
    .addColumn('stripe_payment_intent_id', 'text')
    .addColumn('stripe_setup_intent_id', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('ledger_transaction_id', 'text')
    .addColumn('expires_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('completed_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('checkout_orders_tenant').on('checkout_orders').columns(['tenant_id', 'created_at_ms']).execute();
  await db.schema.createIndex('checkout_orders_payment_intent').on('checkout_orders').column('stripe_payment_intent_id').execute();

  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('processed_at_ms', 'bigint')
    .addColumn('claimed_until_ms', 'bigint')
    .addColumn('attempts', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('stripe_events_pending').on('stripe_events').columns(['processed_at_ms', 'received_at_ms']).execute();

  await db.schema
    .createTable('payment_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('stripe_customer_id', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('exp_month', 'bigint', (c) => c.notNull())
    .addColumn('exp_year', 'bigint', (c) => c.notNull())
    .addColumn('is_default', 'bigint', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('removed_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('payment_methods_tenant').on('payment_methods').column('tenant_id').execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response_status', 'bigint')
    .addColumn('response_body', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'scope', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at_ms').execute();
}
