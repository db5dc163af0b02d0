import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Issue 23: the console's pages stay within 50 ms with 10,000 tenants and 1,000,000 postings
 * (bench/console-pages.ts, docs/benchmarks.md).
 *
 * `tenants.search_name`: the name as the tenant search compares it (tenants/search-name.ts: accents
 * dropped, lower case, white space collapsed), searched by prefix as a range along `(search_name, id)`.
 * Code point order on both databases: SQLite's default BINARY collation compares UTF-8 bytes, and the
 * PostgreSQL column is `COLLATE "C"`, so a prefix range means the same on both whatever the database's
 * locale. Backfilled here with a copy of searchNameOf (a migration must not change when the code does).
 *
 * `wallets_low_balance`: only wallets with a low-balance alert, so the "low balance" filter reads those
 * and not every wallet. `stripe_events_failed`: only dead-lettered events, for the inbox page and the
 * overview's count. Partial indexes, the same on both databases.
 */
const BACKFILL_ROWS = 500;

function searchNameOf(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('search_name', 'text', (c) => (dialect === 'postgres' ? c.modifyEnd(sql`COLLATE "C"`) : c)).execute();
  for (let after = ''; ;) {
    const rows = (await sql<{ id: string; name: string }>`SELECT id, name FROM tenants WHERE id > ${after} ORDER BY id LIMIT ${BACKFILL_ROWS}`.execute(db)).rows;
    if (rows.length === 0) break;
    const cases = sql.join(rows.map((r) => sql`WHEN ${r.id} THEN ${searchNameOf(r.name)}`), sql` `);
    await sql`UPDATE tenants SET search_name = CASE id ${cases} END WHERE id IN (${sql.join(rows.map((r) => r.id))})`.execute(db);
    after = rows.at(-1)!.id;
  }
  await db.schema.createIndex('tenants_search_name').on('tenants').columns(['search_name', 'id']).execute();
  await db.schema.createIndex('wallets_low_balance').on('wallets').column('tenant_id').where(sql.ref('low_balance_minor'), 'is not', null).execute();
  await db.schema.createIndex('stripe_events_failed').on('stripe_events').column('failed_at_ms').where(sql.ref('failed_at_ms'), 'is not', null).execute();
}
