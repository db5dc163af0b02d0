import type { Kysely } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Portal sessions (the customer's billing page); the one-default-card index is migration 0008's. A portal link carries a single-use token and the browser a session cookie; only SHA-256 hashes
 * of both are stored, so a database dump opens no billing page.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('link_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('cookie_hash', 'text', (c) => c.unique())
    .addColumn('return_url', 'text')
    .addColumn('link_expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('opened_at_ms', 'bigint')
    .addColumn('expires_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_sessions_tenant').on('portal_sessions').column('tenant_id').execute();
}
