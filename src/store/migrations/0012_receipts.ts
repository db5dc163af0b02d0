import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Receipts and credit notes (issue 22, SPEC §9.2). `receipt_counters` holds one row per numbering scope
 * (the operator's: `operator`); the crediting transaction takes the next number with a conditional
 * UPDATE of that row, so the row lock orders every issuer and a rollback gives the number back: numbers
 * are gapless and never repeat, on both databases and with any number of instances.
 *
 * `receipts` is written in the same transaction as the ledger transaction it documents (one per
 * transaction: UNIQUE transaction_id). The Stripe facts that arrive with or after the credit (tax, total,
 * presentment, card, billing address, Stripe's receipt link) are nullable columns filled when known.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('receipt_counters')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('last_number', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO receipt_counters (scope, last_number) VALUES ('operator', 0)`.execute(db);
  await db.schema
    .createTable('receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('serial', 'bigint', (c) => c.notNull().unique())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('transaction_id', 'text', (c) => c.notNull().unique().references('ledger_transactions.id'))
    .addColumn('order_id', 'text')
    .addColumn('attempt_id', 'text')
    .addColumn('refund_id', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('credited_minor', 'bigint', (c) => c.notNull())
    .addColumn('tax_minor', 'bigint')
    .addColumn('total_minor', 'bigint')
    .addColumn('presentment_amount_minor', 'bigint')
    .addColumn('presentment_currency', 'text')
    .addColumn('card_brand', 'text')
    .addColumn('card_last4', 'text')
    .addColumn('billing_address', 'text')
    .addColumn('stripe_receipt_url', 'text')
    .addColumn('issued_at_ms', 'bigint', (c) => c.notNull())
    .addCheckConstraint('receipts_kind', sql`kind IN ('receipt', 'credit_note')`)
    .addCheckConstraint('receipts_positive', sql`credited_minor > 0`)
    .execute();
  await db.schema.createIndex('receipts_tenant_issued').on('receipts').columns(['tenant_id', 'serial']).execute();
}
