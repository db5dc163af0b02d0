import pg from 'pg';

/**
 * PostgreSQL high availability (SPEC §9.5). `DATABASE_URL` may name several hosts as libpq does
 * (`postgres://u@h1:5432,h2:5433/purse?target_session_attrs=read-write`): Purse keeps one pg pool on the
 * writable host. When a connection drops or the server answers as read-only (a demoted primary), that pool
 * is dropped and the hosts are probed until one is writable again; meanwhile a request waits at most
 * REQUEST_WAIT_MS for it and otherwise fails with DatabaseUnavailable (503 DATABASE_UNAVAILABLE).
 */
export const REQUEST_WAIT_MS = 2_000;
export const PROBE_INTERVAL_MS = 200;
export const PROBE_CONNECT_TIMEOUT_MS = 1_000;
export const DEFAULT_FAILOVER_TIMEOUT_MS = 30_000;
/** What a 503 asks the client to wait before retrying (Retry-After, in seconds). */
export const RETRY_AFTER_SECONDS = 1;

/** No writable PostgreSQL host right now, or a COMMIT whose outcome is unknown: retry with the same key. */
export class DatabaseUnavailable extends Error {
  /** `cause`: the connection error behind it, so an operator still reads "connection refused". */
  constructor(message = 'no writable PostgreSQL host is reachable', options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseUnavailable';
  }
}

/** The connection was lost while COMMIT was in flight: the batch may or may not have committed. */
export class CommitOutcomeUnknown extends DatabaseUnavailable {
  constructor() {
    super('the connection was lost during COMMIT; its outcome is unknown');
    this.name = 'CommitOutcomeUnknown';
  }
}

const LOST_CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03']);
const READ_ONLY_CODES = new Set(['25006']);

/** The server went away (or is shutting down / starting up): the writer must be found again. */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof DatabaseUnavailable) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (LOST_CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message);
}

/** pg-pool's own words when no pooled connection came free within the pool's connection timeout. */
const POOL_CHECKOUT_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/**
 * Every pooled connection stayed busy past the pool's connection timeout (overload, not a failover): no
 * statement of the request ran, so it is answered like an unavailable database (503 with Retry-After) and
 * the client retries with its key. Never a reason to drop the pool, so `noteError` does not look at it.
 */
export function isPoolCheckoutTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { message?: unknown }).message === POOL_CHECKOUT_TIMEOUT_MESSAGE) return true;
  }
  return false;
}

/** The host answers but no longer takes writes: it was demoted. */
export function isReadOnly(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && READ_ONLY_CODES.has(code);
}

export interface HostList {
  /** One single-host connection string per host, in the order given. */
  urls: string[];
  readWrite: boolean;
}

/** Splits a libpq-style multi-host URL into single-host URLs (pg reads one host per connection string). */
export function parseHosts(url: string): HostList {
  const match = /^(postgres(?:ql)?:\/\/)(?:([^@/]*)@)?([^/?]*)(.*)$/.exec(url);
  if (!match) return { urls: [url], readWrite: false };
  const [, scheme = '', userinfo, hostPart = '', rest = ''] = match;
  const [path = '', query] = splitOnce(rest, '?');
  const params = new URLSearchParams(query ?? '');
  const attrs = params.get('target_session_attrs');
  params.delete('target_session_attrs');
  const search = params.toString();
  const hosts = hostPart.split(',').filter((h) => h !== '');
  const urls = (hosts.length > 0 ? hosts : ['']).map((host) => `${scheme}${userinfo !== undefined ? `${userinfo}@` : ''}${host}${path}${search ? `?${search}` : ''}`);
  return { urls, readWrite: attrs === 'read-write' || attrs === 'primary' || hosts.length > 1 };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

export interface FailoverOptions {
  poolConfig: Omit<pg.PoolConfig, 'connectionString'>;
  failoverTimeoutMs: number;
  /** Told when no writable host was found within failoverTimeoutMs, and when one is found again. */
  onState?: (event: 'writer-found' | 'writer-lost' | 'failover-overdue', detail: { url?: string; elapsedMs?: number }) => void;
}

/**
 * One pg pool on the current writer. `connect` hands out its clients; any client error that means the
 * connection was lost or the host is read-only drops the pool and starts looking for the writer again.
 */
export class FailoverPool {
  readonly #hosts: HostList;
  readonly #options: FailoverOptions;
  #current: { pool: pg.Pool; url: string } | undefined;
  #resolving: Promise<void> | undefined;
  #lostAtMs: number | undefined;
  #closed = false;

  constructor(url: string, options: FailoverOptions) {
    this.#hosts = parseHosts(url);
    this.#options = options;
    // One host without read-write: as before, trust it and let pg connect lazily.
    if (this.#hosts.urls.length === 1 && !this.#hosts.readWrite) this.#install(this.#hosts.urls[0] ?? url);
  }

  /** True while a writable host is known. */
  writable(): boolean {
    return this.#current !== undefined;
  }

  pool(): pg.Pool | undefined {
    return this.#current?.pool;
  }

  async connect(): Promise<pg.PoolClient> {
    const current = this.#current ?? (await this.#awaitWriter());
    try {
      return await current.pool.connect();
    } catch (error) {
      this.noteError(error, current.pool);
      throw isConnectionLoss(error) ? new DatabaseUnavailable(undefined, { cause: error }) : error;
    }
  }

  /** Every query error passes here: a lost connection or a read-only answer drops `pool` (if still current). */
  noteError(error: unknown, pool: pg.Pool): void {
    if (!isConnectionLoss(error) && !isReadOnly(error)) return;
    if (this.#current?.pool !== pool) return;
    this.#current = undefined;
    this.#lostAtMs = performance.now();
    this.#options.onState?.('writer-lost', {});
    void pool.end().catch(() => {});
    this.#startResolving();
  }

  async end(): Promise<void> {
    this.#closed = true;
    const current = this.#current;
    this.#current = undefined;
    await this.#resolving?.catch(() => {});
    await current?.pool.end();
  }

  async #awaitWriter(): Promise<{ pool: pg.Pool; url: string }> {
    if (this.#closed) throw new Error('The store is closed');
    this.#startResolving();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, REQUEST_WAIT_MS); });
    await Promise.race([this.#resolving, timeout]);
    clearTimeout(timer);
    if (!this.#current) throw new DatabaseUnavailable();
    return this.#current;
  }

  #startResolving(): void {
    if (this.#resolving || this.#closed) return;
    this.#resolving = this.#resolve().finally(() => { this.#resolving = undefined; });
  }

  async #resolve(): Promise<void> {
    const startedMs = this.#lostAtMs ?? performance.now();
    let overdueTold = false;
    while (!this.#closed && !this.#current) {
      for (const url of this.#hosts.urls) {
        if (await probeWritable(url, this.#options.poolConfig)) {
          if (this.#closed) return;
          this.#install(url);
          this.#options.onState?.('writer-found', { url: redact(url), elapsedMs: Math.round(performance.now() - startedMs) });
          return;
        }
      }
      const elapsedMs = performance.now() - startedMs;
      if (!overdueTold && elapsedMs > this.#options.failoverTimeoutMs) {
        overdueTold = true;
        this.#options.onState?.('failover-overdue', { elapsedMs: Math.round(elapsedMs) });
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  }

  #install(url: string): void {
    const pool = new pg.Pool({ ...this.#options.poolConfig, connectionString: url });
    // An idle client losing its connection must not crash the process; it may mean the writer is gone.
    pool.on('error', (error) => this.noteError(error, pool));
    this.#current = { pool, url };
    this.#lostAtMs = undefined;
  }
}

/** Connects once and asks whether this host takes writes (not in recovery, not read-only by default). */
async function probeWritable(url: string, config: FailoverOptions['poolConfig']): Promise<boolean> {
  const client = new pg.Client({ ...config, connectionString: url, connectionTimeoutMillis: PROBE_CONNECT_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    const result = await client.query<{ recovery: boolean; read_only: string }>(
      "select pg_is_in_recovery() as recovery, current_setting('transaction_read_only') as read_only",
    );
    const row = result.rows[0];
    return row !== undefined && !row.recovery && row.read_only === 'off';
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A connection string without its password, for logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}
