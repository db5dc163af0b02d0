import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type BatchObserver, type BatchStats, type BatchTransaction, type Combined, CommitBatcher } from './commit-batcher.ts';
import type { Database } from './schema.ts';
import { wrapPool } from './pg-pool.ts';
import { CommitOutcomeUnknown, DEFAULT_FAILOVER_TIMEOUT_MS, DatabaseUnavailable, FailoverPool, type FailoverOptions, parseHosts } from './pg-failover.ts';
import { CHECKPOINT_BACKSTOP_PAGES, startCheckpointer } from './sqlite-checkpointer.ts';
import { walFlusher } from './sqlite-wal-flush.ts';
import { submitWithRider } from './commit-rider.ts';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.ts';
import { TableVersions } from './table-versions.ts';
import { DEFAULT_READ_REPLICA_MAX_LAG_MS, ReadReplica, type ReplicaState } from './read-replica.ts';
import { type RowExporter, postgresExporter, sqliteExporter } from './export-stream.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface TransactOptions {
  /**
   * The wallet (tenant id) the work locks, if it locks one. PostgreSQL runs work with one key in one lane,
   * so batches running side by side never wait on each other's wallet rows (nor deadlock on them).
   */
  key?: string | undefined;
  /**
   * PostgreSQL: the same work in a form its combiner can run together with its neighbours in the batch
   * (commit-batcher.ts). `work` stays the reference: the careful replay and SQLite run it.
   */
  combine?: Combined<Db> | undefined;
}

export interface Store {
  db: Db;
  dialect: Dialect;
  /**
   * Runs `work` in a database transaction shared with concurrently submitted work (group commit), inside
   * its own savepoint; resolves only after the shared COMMIT. On PostgreSQL `work` may run more than once
   * (only its last run commits), so it must do database work only. See commit-batcher.ts.
   */
  transact<T>(work: (trx: Db) => Promise<T>, opts?: TransactOptions): Promise<T>;
  batchStats(): BatchStats;
  /** Calls `observer` with every group-commit batch's size from now on (for /metrics). */
  observeBatches(observer: BatchObserver): void;
  /** Moves whenever this process writes `table` (see table-versions.ts): lets a cache notice its own writes. */
  tableVersion(table: keyof Database): number;
  close(): Promise<void>;
  ping(): Promise<void>;
  /** Long read-only exports (issue 22), off the writing connection; see export-stream.ts. */
  exporter: RowExporter;
  /**
   * Issue 25: the handle for reads that tolerate bounded staleness (history, summaries, statements, console
   * lists): the read replica while it is within its lag bound, else `db`. Never for a money decision.
   */
  reader(): Db;
  /** PostgreSQL with DATABASE_READ_URL only: the replica's state now, and a fresh check of it. */
  replica?: { state(): ReplicaState; check(): Promise<void> };
  /** PostgreSQL only: false while no writable host is known (a failover is under way). */
  writable?(): boolean;
  /** PostgreSQL only: the pool's connections right now (for /metrics). */
  poolStats?(): { total: number; idle: number; waiting: number };
}

const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/**
 * The connection's page cache (SQLite's default is 2 MiB). A large ledger's hot index pages (wallets, the
 * top of each tenant's history, idempotency and auth lookups) then stay in process instead of being read
 * back from the OS page cache per request; memory is taken only as pages are touched.
 */
const SQLITE_CACHE_KIB = 64 * 1024;
const PG_POOL_SIZE = 20;
// Batches in flight at once, each on its own pooled connection; more lanes add commits, not throughput,
// on a small machine, and the pool keeps the rest of its connections for reads and other writes. Since a
// run of debits costs the same two statements whatever its size (ledger/post-many.ts), fewer, fuller
// batches win: 1,000 wallets on 2 cores measured 4 lanes at 0.78× and 0.89× (medians) of 2 lanes.
export const PG_BATCH_LANES = 2;
// Below 64: past that many subtransactions a backend's cache overflows and every snapshot gets slower.
export const PG_BATCH_ITEMS_MAX = 48;
export const PG_BATCH_SPAN_MS_MAX = 20;
export const PG_BATCH_RETRIES_MAX = 3;
const PG_DEADLOCK_DETECTED = '40P01';
const PG_SERIALIZATION_FAILURE = '40001';
const PG_CONNECT_TIMEOUT_MS = 5_000;
const PG_INT8_OID = 20;

/** Each store's `transact`, by its root handle, for `transact(db, …)` below. */
const TRANSACTORS = new WeakMap<Db, Store['transact']>();

// int8 comes back from pg as a string by default; money must be bigint, never a float.
pg.types.setTypeParser(PG_INT8_OID, (value: string) => BigInt(value));

export interface OpenStoreOptions {
  /** PostgreSQL only: a schema to use as search_path (tests isolate themselves this way). */
  pgSchema?: string;
  pgPoolSize?: number;
  /** Overrides of the batch bounds (tests make them deterministic: no time bound). */
  batch?: BatchBounds;
  /** SQLite only, the bench's reference point: false commits without any flush (not durable). */
  durable?: boolean;
  /** SQLite only: refuse a file that is not there instead of creating it and its folder (`purse doctor`). */
  mustExist?: boolean;
  /** PostgreSQL only: how long finding the writable host again may take before it is reported as overdue. */
  failoverTimeoutMs?: number;
  onFailover?: FailoverOptions['onState'];
  /** PostgreSQL only (issue 25): a streaming replica for reads within `readReplicaMaxLagMs` of the primary. */
  readUrl?: string | undefined;
  readReplicaMaxLagMs?: number;
}

export interface BatchBounds {
  itemsMax?: number;
  spanMsMax?: number;
  /** PostgreSQL only: batches in flight at once. */
  lanes?: number;
}

export function openStore(databaseUrl: string, opts: OpenStoreOptions = {}): Store {
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(databaseUrl.slice('sqlite:'.length), opts);
  return openPostgres(databaseUrl, opts);
}

function openSqlite(path: string, opts: OpenStoreOptions): Store {
  if (opts.mustExist && path !== ':memory:' && !existsSync(path)) throw new Error(`no database file at ${path} (a typo in DATABASE_URL? purse migrate creates it)`);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  // A commit is on disk before we acknowledge it (a returned 2xx survives power loss): for a file, the
  // group commit syncs the WAL itself, off the event loop (sqlite-wal-flush.ts), so COMMIT need not.
  const flusher = path === ':memory:' || opts.durable === false ? undefined : walFlusher(path);
  database.pragma(flusher || opts.durable === false ? 'synchronous = NORMAL' : 'synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // Each piece of work in a batch has a savepoint; its undo journal is kept in memory, not a temp file.
  database.pragma('temp_store = MEMORY');
  // Negative: a size in KiB rather than a number of pages.
  database.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.defaultSafeIntegers(true);
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(path, SQLITE_BUSY_TIMEOUT_MS);
  if (checkpointer) database.pragma(`wal_autocheckpoint = ${CHECKPOINT_BACKSTOP_PAGES}`);
  const dialect = new GroupCommitSqliteDialect(database, { ...opts.batch, flusher });
  const versions = new TableVersions();
  const db = new Kysely<Database>({ dialect, plugins: [versions] });
  // Every transaction of this driver already joins the group commit.
  const transact: Store['transact'] = (work, opts) => submitWithRider(work, opts, (w) => db.transaction().execute(w));
  TRANSACTORS.set(db, transact);
  return {
    db,
    dialect: 'sqlite',
    transact,
    batchStats: () => dialect.stats(),
    observeBatches: (observer) => dialect.observeBatches(observer),
    tableVersion: (table) => versions.version(table),
    reader: () => db,
    exporter: sqliteExporter(path, database),
    close: async () => {
      await dialect.drain();
      await checkpointer?.stop();
      await db.destroy();
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
  };
}

function openPostgres(url: string, opts: OpenStoreOptions): Store {
  const searchPath = opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {};
  const pool = new FailoverPool(url, {
    poolConfig: { max: opts.pgPoolSize ?? PG_POOL_SIZE, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, ...searchPath },
    failoverTimeoutMs: opts.failoverTimeoutMs ?? DEFAULT_FAILOVER_TIMEOUT_MS,
    ...(opts.onFailover ? { onState: opts.onFailover } : {}),
  });
  const versions = new TableVersions();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: wrapPool(pool) }), plugins: [versions] });
  const batcher = new CommitBatcher<Db>({
    begin: () => beginPgBatch(db),
    lanes: opts.batch?.lanes ?? PG_BATCH_LANES,
    itemsMax: opts.batch?.itemsMax ?? PG_BATCH_ITEMS_MAX,
    spanMsMax: opts.batch?.spanMsMax ?? PG_BATCH_SPAN_MS_MAX,
    retryable: lostRace,
    outcomeUnknown: (error) => error instanceof CommitOutcomeUnknown,
    retriesMax: PG_BATCH_RETRIES_MAX,
    // Callbacks can run again, and a savepoint is a round trip: try each batch without first.
    optimistic: true,
  });
  // Work carrying a commit rider runs as itself: the combiner would not write the rider's row.
  const transact: Store['transact'] = (work, opts) => submitWithRider(work, opts, (w, o, carrying) => batcher.submit(w, { key: o?.key, combine: carrying ? undefined : o?.combine }));
  TRANSACTORS.set(db, transact);
  const replica = opts.readUrl ? new ReadReplica(opts.readUrl, db, { maxLagMs: opts.readReplicaMaxLagMs ?? DEFAULT_READ_REPLICA_MAX_LAG_MS, poolConfig: searchPath }) : undefined;
  replica?.start();
  return {
    db,
    dialect: 'postgres',
    reader: () => replica?.usable() ?? db,
    ...(replica ? { replica } : {}),
    transact,
    batchStats: () => batcher.stats(),
    observeBatches: (observer) => batcher.observeBatches(observer),
    tableVersion: (table) => versions.version(table),
    exporter: postgresExporter(pool),
    close: async () => {
      // The batcher refuses new work from this moment (its close marks it closed before its first await).
      const drained = batcher.close();
      await replica?.close();
      await drained;
      await db.destroy();
    },
    ping: async () => {
      if (!pool.writable() && parseHosts(url).readWrite) throw new DatabaseUnavailable();
      await sql`select 1`.execute(db);
    },
    writable: () => pool.writable(),
    poolStats: () => {
      const current = pool.pool();
      return { total: current?.totalCount ?? 0, idle: current?.idleCount ?? 0, waiting: current?.waitingCount ?? 0 };
    },
  };
}

/** One batch: a transaction on its own pooled connection; savepoint commands share a round trip. */
async function beginPgBatch(db: Db): Promise<BatchTransaction<Db>> {
  const trx = await db.startTransaction().execute();
  return {
    handle: trx,
    advance: async (release, open) => {
      // No parameters, so pg sends this as a simple query: both commands in one round trip.
      const commands = [release !== null ? `release savepoint ${release}` : '', open !== null ? `savepoint ${open}` : ''];
      await sql.raw(commands.filter((c) => c !== '').join('; ')).execute(trx);
    },
    rollbackTo: async (savepoint) => {
      await sql.raw(`rollback to savepoint ${savepoint}`).execute(trx);
    },
    // PostgreSQL never ends a transaction by itself; an error leaves it aborted until ROLLBACK TO SAVEPOINT.
    intact: () => true,
    commit: () => trx.commit().execute(),
    rollback: () => trx.rollback().execute(),
  };
}

/** A deadlock victim or a serialization failure: nothing wrong with the work, it lost a race; run it again. */
function lostRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === PG_DEADLOCK_DETECTED || code === PG_SERIALIZATION_FAILURE;
}

/**
 * `store.transact` for code that holds only the database handle (the ledger's `transactOnce`). A handle
 * that is not a store's root (say, a transaction) gets a plain Kysely transaction, as before.
 */
export function transact<T>(db: Db, work: (trx: Db) => Promise<T>, opts: TransactOptions = {}): Promise<T> {
  const viaStore = TRANSACTORS.get(db);
  return viaStore ? viaStore(work, opts) : db.transaction().execute(work);
}

/** Rows read back carry bigint for every integer column; this narrows ones known to be small (timestamps). */
export function toMs(value: bigint | number): number {
  return Number(value);
}
