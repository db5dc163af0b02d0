import type { Kysely } from 'kysely';
import { type MigrationDialect, bigintPk, seqType } from './helpers.ts';

/**
 * The double-entry ledger. Only wallets carry a cached balance; system accounts (clearing, revenue)
 * are derived from postings so they never become a row every transaction must lock.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('ledger_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('wallets')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().unique().references('ledger_accounts.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance_minor', 'bigint', (c) => c.notNull())
    .addColumn('held_minor', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_transactions')
    .addColumn('seq', seqType(dialect), (c) => bigintPk(c, dialect))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id'))
    // Usage is attributed to a number (a tenant's sub-account); null for everything else.
    .addColumn('number_id', 'text', (c) => c.references('numbers.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('wallet_amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('wallet_balance_after_minor', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_transactions_tenant_seq').on('ledger_transactions').columns(['tenant_id', 'seq']).execute();

  await db.schema
    .createTable('ledger_postings')
    .addColumn('seq', seqType(dialect), (c) => bigintPk(c, dialect))
    .addColumn('transaction_id', 'text', (c) => c.notNull().references('ledger_transactions.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_postings_account').on('ledger_postings').column('account_id').execute();
  await db.schema.createIndex('ledger_postings_transaction').on('ledger_postings').column('transaction_id').execute();
}
