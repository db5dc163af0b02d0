/** The shapes the commit batcher (commit-batcher.ts) works with: what it is given, what it reports, what it queues. */
export interface BatchTransaction<H> {
  /** What each piece of work receives: the open transaction. */
  handle: H;
  /** Releases savepoint `release` and opens savepoint `open` (either may be null), in one round trip where it can. */
  advance(release: string | null, open: string | null): Promise<void>;
  rollbackTo(savepoint: string): Promise<void>;
  /** False once the database has ended the transaction on its own (SQLite does on some errors). */
  intact(): boolean;
  /** `items`: the pieces of work the batch holds (SQLite flushes a batch of one without a thread hop). */
  commit(items: number): Promise<void>;
  /** Ends the transaction without committing; must give the connection back even when it fails. */
  rollback(): Promise<void>;
}

export interface BatchSettings<H> {
  begin(): Promise<BatchTransaction<H>>;
  /** Batches that may run at once, each on its own connection (1 on SQLite: one connection, one writer). */
  lanes: number;
  /** Bounds the work per batch (PostgreSQL: 64 savepoints overflow each backend's subtransaction cache). */
  itemsMax: number;
  /** Once a batch has run this long it stops taking more of its queue and commits what it has. */
  spanMsMax: number;
  /** Errors that mean "this lost a race, run it again later" rather than "this failed". */
  retryable(error: unknown): boolean;
  retriesMax: number;
  /**
   * A COMMIT failure after which nobody knows whether the batch committed (its connection was lost): the
   * batch is never run again (a second run could move money twice, or answer differently from what
   * committed); every submission rejects with that error and its caller retries by its own unique key.
   */
  outcomeUnknown?(error: unknown): boolean;
  /**
   * Run a batch without savepoints first (one round trip less per piece of work) and, if any of its work
   * fails, roll it all back and run the batch again with savepoints; the lane then stays careful for
   * CAREFUL_BATCHES_AFTER_FAILURE batches. Only for work that may run twice (PostgreSQL callbacks), never
   * for SQLite, whose turns are driven by their callers and cannot be replayed.
   */
  optimistic: boolean;
}

export interface BatchStats {
  batches: number;
  /** Pieces of work that ran in a batch (retries count again). */
  items: number;
  itemsLargest: number;
  /** Batches whose transaction failed as a whole, rejecting everything in them. */
  batchesFailed: number;
  retries: number;
  /** Optimistic batches run again with savepoints because some of their work failed. */
  replays: number;
  /** Pieces of work answered by a combiner together with their neighbours (counted in `items` too). */
  combined: number;
}

/** Told each batch's size (pieces of work run in it) and whether it failed as a whole. */
export type BatchObserver = (items: number, failed: boolean) => void;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs a run of consecutive submissions of one kind together, in fewer round trips than one by one
 * (PostgreSQL usage debits: a few statements for the whole run). Its answer, per input in order, must be
 * what each submission's own `work` would have come to had they run one after another in the batch; a
 * failed outcome must have left nothing behind (its effects are never written). If it throws, the batch is
 * rolled back and runs again the careful way, each submission by its own `work`.
 */
export interface Combiner<H> {
  run(handle: H, inputs: unknown[]): Promise<Outcome[]>;
}

export interface Combined<H> {
  combiner: Combiner<H>;
  input: unknown;
}

export interface SubmitOptions<H = unknown> {
  /** Work with one key always runs in the same lane. */
  key?: string | undefined;
  /**
   * One statement that the database undoes by itself if it fails, leaving the transaction usable (SQLite
   * does, PostgreSQL does not): it needs no savepoint of its own.
   */
  selfAtomic?: boolean;
  /** Optimistic batches only: run with its neighbours of the same combiner instead of by `work`. */
  combine?: Combined<H> | undefined;
}

export interface Item<H> {
  work: (handle: H) => Promise<unknown>;
  selfAtomic: boolean;
  combine: Combined<H> | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  attempts: number;
}

export interface Lane<H> {
  queue: Item<H>[];
  busy: boolean;
  /** Batches still to run with savepoints before trying without again. */
  careful: number;
}

export interface Ran<H> {
  item: Item<H>;
  outcome: Outcome;
}

export interface BatchRun<H> {
  ran: Ran<H>[];
  /** Taken from the queue but never started (span bound reached, or the transaction broke first). */
  notStarted: Item<H>[];
  /** Set when the transaction itself failed; nothing in it can commit. */
  broken?: { error: unknown };
}
