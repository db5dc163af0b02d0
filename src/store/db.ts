import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface Store {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
  ping(): Promise<void>;
}

const SQLITE_BUSY_TIMEOUT_MS = 5_000;
const PG_POOL_SIZE = 20;
const PG_CONNECT_TIMEOUT_MS = 5_000;
const PG_INT8_OID = 20;

// int8 comes back from pg as a string by default; money must be bigint, never a float.
pg.types.setTypeParser(PG_INT8_OID, (value: string) => BigInt(value));

export interface OpenStoreOptions {
  /** PostgreSQL only: a schema to use as search_path (tests isolate themselves this way). */
  pgSchema?: string;
  pgPoolSize?: number;
}

export function openStore(databaseUrl: string, opts: OpenStoreOptions = {}): Store {
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(databaseUrl.slice('sqlite:'.length));
  return openPostgres(databaseUrl, opts);
}

function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we acknowledge it (a returned 2xx survives power loss).
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.defaultSafeIntegers(true);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: 'sqlite',
    close: () => db.destroy(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
  };
}

function openPostgres(url: string, opts: OpenStoreOptions): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.pgPoolSize ?? PG_POOL_SIZE,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    close: () => db.destroy(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
  };
}

/** Rows read back carry bigint for every integer column; this narrows ones known to be small (timestamps). */
export function toMs(value: bigint | number): number {
  return Number(value);
}
