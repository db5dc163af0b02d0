import type { Kysely } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Holds: funds reserved from a wallet's available balance. A reservation is not a money movement, so it
 * lives here and in wallets.held_minor, not in the ledger; only a capture posts a ledger transaction.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('number_id', 'text', (c) => c.references('numbers.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('captured_minor', 'bigint', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text')
    // The caller's Idempotency-Key, unique per tenant; null when none was sent (NULLs never collide).
    .addColumn('idempotency_key', 'text')
    .addColumn('capture_transaction_id', 'text', (c) => c.references('ledger_transactions.id'))
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('closed_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('holds_tenant_idempotency_key').unique().on('holds').columns(['tenant_id', 'idempotency_key']).execute();
  // The expiry job's scan, and the per-tenant "lapsed but not yet released" sum of a wallet read.
  await db.schema.createIndex('holds_state_expiry').on('holds').columns(['state', 'expires_at_ms']).execute();
  await db.schema.createIndex('holds_tenant_state_expiry').on('holds').columns(['tenant_id', 'state', 'expires_at_ms']).execute();
}
