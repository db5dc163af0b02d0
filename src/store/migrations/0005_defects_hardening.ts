import type { Kysely } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Hardening found by probing (issue 10 §4):
 * - stripe_events.failed_at_ms: an event that failed INBOX_ATTEMPTS_MAX times is dead-lettered, no
 *   longer retried, and listed by `purse events failed`;
 * - idempotency_keys.lease_until_ms / resource_id: an in-progress claim expires, and a retry resumes
 *   the resource (the checkout order) the dead attempt created;
 * - tenants.stripe_customer_generation: bumped when Stripe no longer knows the tenant's customer, so
 *   the replacement gets a fresh idempotency key derived from our own ids.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('stripe_events').addColumn('failed_at_ms', 'bigint').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('lease_until_ms', 'bigint').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('resource_id', 'text').execute();
  await db.schema.alterTable('tenants').addColumn('stripe_customer_generation', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
