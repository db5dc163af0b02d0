import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Store } from './db.ts';
import type { MigrationDialect } from './migrations/helpers.ts';
import * as m0001 from './migrations/0001_foundation.ts';
import * as m0002 from './migrations/0002_ledger.ts';
import * as m0003 from './migrations/0003_checkout.ts';
import * as m0004 from './migrations/0004_holds.ts';
import * as m0005 from './migrations/0005_defects_hardening.ts';
import * as m0006 from './migrations/0006_events_outbox.ts';
import * as m0007 from './migrations/0007_refunds_disputes.ts';
import * as m0008 from './migrations/0008_cards_autotopup.ts';
import * as m0009 from './migrations/0009_portal_sessions.ts';
import * as m0010 from './migrations/0010_charges_of_auto_topups.ts';
import * as m0011 from './migrations/0011_credit_blocks.ts';
import * as m0012 from './migrations/0012_receipts.ts';
// Issue 23: operators, sessions, audit log, console rollups.
import * as m0013 from './migrations/0013_operators.ts';
import * as m0014 from './migrations/0014_usage_rollup.ts';
// Issue 21: credit blocks drawn down per posting statement on PostgreSQL.
import * as m0015 from './migrations/0015_i21_credit_blocks_set_draw.ts';
// Issue 24: a card saved twice keeps one live copy (unique per tenant and fingerprint).
import * as m0016 from './migrations/0016_i24_card_duplicates.ts';
// Issue 21: SQLite's usage debit takes the first block in two statements when it covers the debit.
import * as m0017 from './migrations/0017_i21_credit_blocks_first_block.ts';
// Issue 23: the console's search column and indexes.
import * as m0018 from './migrations/0018_i23_console_indexes.ts';

type Up = (db: Kysely<unknown>, dialect: MigrationDialect) => Promise<void>;

/** Numbered, forward-only. Append new migrations; never edit or reorder a landed one. */
const MIGRATIONS: ReadonlyArray<readonly [string, Up]> = [
  ['0001_foundation', m0001.up],
  ['0002_ledger', m0002.up],
  ['0003_checkout', m0003.up],
  ['0004_holds', m0004.up],
  ['0005_defects_hardening', m0005.up],
  ['0006_events_outbox', m0006.up],
  ['0007_refunds_disputes', m0007.up],
  ['0008_cards_autotopup', m0008.up],
  ['0009_portal_sessions', m0009.up],
  ['0010_charges_of_auto_topups', m0010.up],
  ['0011_credit_blocks', m0011.up],
  ['0012_receipts', m0012.up],
  // Issue 23.
  ['0013_operators', m0013.up],
  ['0014_usage_rollup', m0014.up],
  // Issue 21.
  ['0015_i21_credit_blocks_set_draw', m0015.up],
  // Issue 24.
  ['0016_i24_card_duplicates', m0016.up],
  // Issue 21.
  ['0017_i21_credit_blocks_first_block', m0017.up],
  // Issue 23.
  ['0018_i23_console_indexes', m0018.up],
];

export async function migrateToLatest(store: Store): Promise<string[]> {
  const { error, results } = await (await migrator(store)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Migrations this version knows that the database has not run (`purse doctor`); changes nothing. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const all = await (await migrator(store)).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

async function migrator(store: Store): Promise<Migrator> {
  const migrations: Record<string, Migration> = {};
  for (const [name, up] of MIGRATIONS) {
    migrations[name] = { up: (db) => up(db, store.dialect) };
  }
  return new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'purse_migrations',
    migrationLockTableName: 'purse_migrations_lock',
    // Kysely looks for its tables across every schema unless told which; name ours so that several
    // Purse databases in one PostgreSQL (schemas) never mistake each other's migration state.
    ...(store.dialect === 'postgres' ? { migrationTableSchema: await currentSchema(store) } : {}),
  });
}

async function currentSchema(store: Store): Promise<string> {
  const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  const schema = result.rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: set search_path in DATABASE_URL');
  return schema;
}
