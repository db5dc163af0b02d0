import type BetterSqlite3 from 'better-sqlite3';
import { type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, SqliteDialect } from 'kysely';
import { assert } from '../errors/purse-error.ts';
import { type BatchObserver, type BatchStats, type BatchTransaction, CommitBatcher } from './commit-batcher.ts';
import type { WalFlusher } from './sqlite-wal-flush.ts';

/**
 * SQLite with group commit, under Kysely. One connection, so one writer; every durable commit waits for a
 * flush of the WAL (~0.3 ms here; inside COMMIT with `synchronous=FULL` it would block the event loop, so
 * file stores flush on libuv's pool instead, see below). Instead of one commit per write, this driver makes every write a piece of work in the shared batch
 * (commit-batcher.ts):
 *
 * - a Kysely transaction (`db.transaction().execute(…)`) is one turn of the batch, inside its own savepoint:
 *   BEGIN waits for the turn, COMMIT returns once the whole batch has committed, ROLLBACK undoes the turn;
 * - a write outside a transaction is a turn of that one statement, answered after the batch commits;
 * - a read outside a transaction runs at once when no batch is open, else right after it closes, so
 *   reads see committed — durable — data only, never another request's unfinished turn.
 *
 * Prepared statements are cached by SQL text (Kysely's stock driver prepares every statement anew).
 *
 * With a WAL flusher (sqlite-wal-flush.ts: file databases), COMMIT does not sync and the batch is closed —
 * answered, and open to reads — only once the flusher has synced the WAL off the event loop.
 */
export const SQLITE_BATCH_ITEMS_MAX = 256;
// The batch runs on the event loop: bounding it bounds the pause every other request sees.
export const SQLITE_BATCH_SPAN_MS_MAX = 5;
export const STATEMENTS_CACHED_MAX = 512;
const SAVEPOINT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface GroupCommitOptions {
  itemsMax?: number;
  spanMsMax?: number;
  /** Syncs the WAL after each COMMIT (the connection then runs `synchronous=NORMAL`); none: COMMIT syncs. */
  flusher?: WalFlusher | undefined;
}

export class GroupCommitSqliteDialect extends SqliteDialect {
  readonly #driver: GroupCommitSqliteDriver;

  constructor(database: BetterSqlite3.Database, options: GroupCommitOptions = {}) {
    super({ database });
    this.#driver = new GroupCommitSqliteDriver(database, options);
  }

  override createDriver(): Driver {
    return this.#driver;
  }

  stats(): BatchStats {
    return this.#driver.batcher.stats();
  }

  observeBatches(observer: BatchObserver): void {
    this.#driver.batcher.observeBatches(observer);
  }

  /** Refuses new work and waits for what was submitted; the connection closes with Kysely's destroy. */
  drain(): Promise<void> {
    return this.#driver.batcher.close();
  }
}

class GroupCommitSqliteDriver implements Driver {
  readonly batcher: CommitBatcher<void>;
  readonly #database: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #readsWaiting: Array<() => void> = [];
  readonly #flusher: WalFlusher | undefined;
  #batchOpen = false;

  constructor(database: BetterSqlite3.Database, bounds: GroupCommitOptions) {
    this.#database = database;
    this.#flusher = bounds.flusher;
    this.batcher = new CommitBatcher<void>({
      begin: async () => this.#begin(),
      lanes: 1,
      itemsMax: bounds.itemsMax ?? SQLITE_BATCH_ITEMS_MAX,
      spanMsMax: bounds.spanMsMax ?? SQLITE_BATCH_SPAN_MS_MAX,
      // One writer: nothing here can lose a race to another transaction of this process.
      retryable: () => false,
      retriesMax: 0,
      // A turn is its caller's Kysely transaction: it cannot be run twice. Savepoints cost no round trip here.
      optimistic: false,
    });
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Session(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await sessionOf(connection).beginTurn();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await sessionOf(connection).endTurn('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await sessionOf(connection).endTurn('rollback');
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    sessionOf(connection).runInTurn(`savepoint ${savepointName(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    sessionOf(connection).runInTurn(`rollback to ${savepointName(name)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    sessionOf(connection).runInTurn(`release ${savepointName(name)}`);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // A transaction abandoned without COMMIT or ROLLBACK must not hold up the batch forever.
    await sessionOf(connection).endTurn('rollback');
  }

  async destroy(): Promise<void> {
    await this.batcher.close();
    this.#database.close();
    await this.#flusher?.close();
  }

  statement(sqlText: string): BetterSqlite3.Statement {
    const cached = this.#statements.get(sqlText);
    if (cached) return cached;
    const prepared = this.#database.prepare(sqlText);
    if (this.#statements.size >= STATEMENTS_CACHED_MAX) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    this.#statements.set(sqlText, prepared);
    return prepared;
  }

  execute(statement: BetterSqlite3.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  /** Runs a read now if no batch is open, else as soon as it closes, in arrival order. */
  read<R>(query: () => R): Promise<R> {
    if (!this.#batchOpen) return new Promise((resolve) => resolve(query()));
    return new Promise((resolve, reject) => {
      this.#readsWaiting.push(() => {
        try {
          resolve(query());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  #begin(): BatchTransaction<void> {
    assert(!this.#batchOpen, 'one SQLite batch at a time');
    // After a failed flush nothing more is written: it could not be promised durable.
    const failure = this.#flusher?.failure();
    if (failure) throw failure;
    // IMMEDIATE takes the write lock now (waiting busy_timeout for another process), not mid-batch.
    this.#run('begin immediate');
    this.#batchOpen = true;
    return {
      handle: undefined,
      advance: async (release, open) => {
        if (release !== null) this.#run(`release ${release}`);
        if (open !== null) this.#run(`savepoint ${open}`);
      },
      rollbackTo: async (savepoint) => this.#run(`rollback to ${savepoint}`),
      intact: () => this.#database.inTransaction,
      commit: async (items) => {
        // A failed COMMIT leaves the transaction open; the batcher then rolls it back, which closes the batch.
        this.#run('commit');
        try {
          // Alone, nobody else would run during the flush and the hop to the pool and back only adds latency.
          await this.#flusher?.flush(items > 1 ? 'pool' : 'inline');
        } finally {
          this.#closeBatch();
        }
      },
      rollback: async () => {
        try {
          if (this.#database.inTransaction) this.#run('rollback');
        } finally {
          this.#closeBatch();
        }
      },
    };
  }

  #closeBatch(): void {
    this.#batchOpen = false;
    for (const read of this.#readsWaiting.splice(0)) read();
  }

  #run(sqlText: string): void {
    this.statement(sqlText).run();
  }
}

const TURN_ROLLED_BACK = new Error('transaction rolled back by its caller');

/** One Kysely connection checkout. Inside a transaction it is the batch's current turn. */
class Session implements DatabaseConnection {
  readonly #driver: GroupCommitSqliteDriver;
  #endTurn: ((how: 'commit' | 'rollback') => void) | undefined;
  #outcome: Promise<void> | undefined;

  constructor(driver: GroupCommitSqliteDriver) {
    this.#driver = driver;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const driver = this.#driver;
    const statement = driver.statement(compiled.sql);
    const run = () => driver.execute(statement, compiled.parameters) as QueryResult<R>;
    if (this.#endTurn) return run();
    if (statement.readonly) return driver.read(run);
    // A write on its own: its own turn, answered once the batch it joined has committed. SQLite undoes a
    // failed statement by itself and keeps the transaction, so it needs no savepoint.
    return driver.batcher.submit(async () => run(), { selfAtomic: true });
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // Rows are read at once: a live better-sqlite3 iterator would hold the one connection across awaits.
    yield await this.executeQuery<R>(compiled);
  }

  /** Resolves when this transaction's turn starts; rejects if its batch could not even begin. */
  beginTurn(): Promise<void> {
    assert(!this.#outcome, 'one transaction per connection at a time');
    let started: () => void = () => {};
    const turnStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const outcome = this.#driver.batcher.submit(() => new Promise<void>((committed, rolledBack) => {
      this.#endTurn = (how) => {
        this.#endTurn = undefined;
        if (how === 'commit') committed();
        else rolledBack(TURN_ROLLED_BACK);
      };
      started();
    }));
    // Seen by endTurn on COMMIT; on ROLLBACK its rejection is the expected answer.
    outcome.catch(() => {});
    this.#outcome = outcome;
    return Promise.race([turnStarted, outcome]);
  }

  /** COMMIT returns once the batch has committed (or throws its failure); ROLLBACK returns at once. */
  async endTurn(how: 'commit' | 'rollback'): Promise<void> {
    const end = this.#endTurn;
    const outcome = this.#outcome;
    this.#outcome = undefined;
    if (!end || !outcome) return;
    end(how);
    if (how === 'commit') await outcome;
  }

  runInTurn(sqlText: string): void {
    assert(this.#endTurn, 'savepoints are used inside a transaction');
    this.#driver.execute(this.#driver.statement(sqlText), []);
  }
}

function sessionOf(connection: DatabaseConnection): Session {
  assert(connection instanceof Session, 'connections come from this driver');
  return connection;
}

function savepointName(name: string): string {
  assert(SAVEPOINT_NAME_PATTERN.test(name), `savepoint name ${name} is a plain identifier`);
  return name;
}
