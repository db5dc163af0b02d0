import type { Kysely } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Events out (SPEC §8.3). `events` is the outbox: a capability inserts its event in the same database
 * transaction as the change it reports; a worker fans each event out to one `webhook_deliveries` row per
 * matching endpoint and delivers those after the commit. The wallet row carries what the "after money
 * moves" hook needs to notice a crossing without any extra read on the debit path: the tenant's
 * low-balance alert, whether the low-balance and depleted events are armed, and whether any endpoint
 * asked for `wallet.debited` (every flag is 0 or 1).
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id'))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    // Set once the worker has created this event's deliveries (null: still to fan out).
    .addColumn('dispatched_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('events_dispatch').on('events').columns(['dispatched_at_ms', 'created_at_ms']).execute();
  await db.schema.createIndex('events_tenant_created').on('events').columns(['tenant_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Null: an operator endpoint hearing every tenant's events.
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id'))
    // Who manages it: 'admin' (operator API) or 'tenant' (the tenant's own billing API).
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // JSON array of event types; empty means every type except the opt-in ones (wallet.debited).
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('enabled', 'bigint', (c) => c.notNull())
    // The signing secret is derived from the master key and this salt (auth/secrets.ts), never stored.
    .addColumn('secret_salt', 'text', (c) => c.notNull())
    .addColumn('previous_secret_salt', 'text')
    .addColumn('previous_secret_expires_at_ms', 'bigint')
    // When deliveries to it started failing without a success since; null while healthy.
    .addColumn('failing_since_ms', 'bigint')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_tenant').on('webhook_endpoints').columns(['tenant_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'bigint', (c) => c.notNull())
    .addColumn('next_attempt_at_ms', 'bigint')
    // A worker's claim on an attempt in flight; past it, another worker may take the delivery again.
    .addColumn('claimed_until_ms', 'bigint')
    .addColumn('last_status', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('webhook_deliveries_event_endpoint').unique().on('webhook_deliveries').columns(['event_id', 'endpoint_id']).execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_at_ms']).execute();
  await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'created_at_ms']).execute();

  await db.schema.alterTable('wallets').addColumn('low_balance_minor', 'bigint').execute();
  await db.schema.alterTable('wallets').addColumn('low_balance_armed', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('wallets').addColumn('depleted_armed', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('wallets').addColumn('debited_subscribed', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
