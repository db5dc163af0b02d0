import type { Kysely } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Money back (SPEC §8.4). `refund_clawbacks`: one row per ledger clawback of a refunded charge, so the
 * amount already clawed back for a charge is one indexed sum. `disputes`: the share of a credited top-up
 * a dispute holds in wallets.held_minor until Stripe closes it (won → released, lost → clawed back).
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('refund_clawbacks')
    // The ledger reference `refund:{chargeId}:{amount_refunded}`: one clawback per new refunded amount.
    .addColumn('reference', 'text', (c) => c.primaryKey())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull().references('checkout_orders.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('amount_refunded_minor', 'bigint', (c) => c.notNull())
    .addColumn('clawed_back_minor', 'bigint', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull().references('ledger_transactions.id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('refund_clawbacks_charge').on('refund_clawbacks').column('charge_id').execute();
  await db.schema
    .createTable('disputes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull().references('checkout_orders.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('disputed_minor', 'bigint', (c) => c.notNull())
    .addColumn('held_minor', 'bigint', (c) => c.notNull())
    .addColumn('loss_transaction_id', 'text', (c) => c.references('ledger_transactions.id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('closed_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('disputes_tenant_state').on('disputes').columns(['tenant_id', 'state']).execute();
}
