import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { redact } from './pg-failover.ts';

/**
 * Reads that tolerate bounded staleness (history, statements, reports, console lists) on a streaming
 * replica (issue 25, SPEC §9.5). The bound is measured, never assumed: every REPLICA_CHECK_INTERVAL_MS the
 * primary's WAL position is read at time t0, then the replica is asked whether it has replayed up to it; if
 * so, everything committed before t0 is visible there ("fresh as of t0"). A read goes to the replica only
 * while now − t0 ≤ the lag bound and its replay is not paused; otherwise it goes to the primary. A money
 * decision never reads here: callers use `store.db` for those.
 */
/** READ_REPLICA_MAX_LAG_MS when unset. */
export const DEFAULT_READ_REPLICA_MAX_LAG_MS = 5_000;
export const REPLICA_CHECK_INTERVAL_MS = 200;
export const REPLICA_POOL_SIZE = 10;
export const REPLICA_CONNECT_TIMEOUT_MS = 2_000;

export interface ReplicaState {
  /** The replica's URL without its password. */
  url: string;
  /** Reads go there right now. */
  used: boolean;
  /** An upper bound on how far behind the replica is, from the last check; undefined before it first caught up. */
  lagMs: number | undefined;
  paused: boolean;
  /** Why it is skipped, when it is. */
  skipped: string | undefined;
}

interface Probe {
  recovery: boolean;
  paused: boolean;
  caught_up: boolean | null;
}

export class ReadReplica {
  readonly db: Kysely<Database>;
  readonly #url: string;
  readonly #primary: Kysely<Database>;
  readonly #maxLagMs: number;
  #freshAsOfMs: number | undefined;
  #paused = false;
  #problem: string | undefined = 'not checked yet';
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(url: string, primary: Kysely<Database>, opts: { maxLagMs: number; poolConfig?: Omit<pg.PoolConfig, 'connectionString'> }) {
    this.#url = url;
    this.#primary = primary;
    this.#maxLagMs = opts.maxLagMs;
    const pool = new pg.Pool({ max: REPLICA_POOL_SIZE, connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS, ...opts.poolConfig, connectionString: url });
    // A replica going away must not crash the process; the next check finds it gone and reads go to the primary.
    pool.on('error', () => {});
    this.db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  /** Starts the periodic check (the first one runs at once). */
  start(): void {
    if (this.#timer) return;
    void this.check();
    this.#timer = setInterval(() => void this.check(), REPLICA_CHECK_INTERVAL_MS);
    this.#timer.unref();
  }

  /** The replica's handle while it is within the bound, else undefined. */
  usable(): Kysely<Database> | undefined {
    return this.state().used ? this.db : undefined;
  }

  state(): ReplicaState {
    const lagMs = this.#freshAsOfMs === undefined ? undefined : Math.max(0, Date.now() - this.#freshAsOfMs);
    const skipped = this.#problem ?? (this.#paused ? 'replay is paused' : lagMs === undefined || lagMs > this.#maxLagMs ? `more than ${this.#maxLagMs} ms behind` : undefined);
    return { url: redact(this.#url), used: skipped === undefined, lagMs, paused: this.#paused, skipped };
  }

  /** One check (the timer runs these; a test or `purse doctor` may await one). Never throws. */
  check(): Promise<void> {
    this.#checking ??= this.#checkOnce().finally(() => { this.#checking = undefined; });
    return this.#checking;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checking;
    await this.db.destroy();
  }

  async #checkOnce(): Promise<void> {
    const t0Ms = Date.now();
    let lsn: string;
    try {
      lsn = (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(this.#primary)).rows[0]?.lsn ?? '0/0';
    } catch {
      return; // No primary to compare with: keep the last bound, which keeps growing until the primary is back.
    }
    try {
      const probe = (await sql<Probe>`select pg_is_in_recovery() as recovery,
          case when pg_is_in_recovery() then pg_is_wal_replay_paused() else false end as paused,
          pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as caught_up`.execute(this.db)).rows[0];
      this.#paused = probe?.paused === true;
      // Not in recovery: a promoted (or unrelated) server whose history may differ from the primary's.
      this.#problem = probe?.recovery === true ? undefined : 'not a standby';
      if (probe?.caught_up === true) this.#freshAsOfMs = t0Ms;
    } catch (error) {
      this.#problem = `unreachable (${(error as Error).message})`;
    }
  }
}
