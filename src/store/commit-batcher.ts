import { assert } from '../errors/purse-error.ts';
import { crashPoint } from './crash-points.ts';

/**
 * Group commit in the application. A commit costs a disk flush (SQLite: the WAL's fdatasync, PostgreSQL
 * `fsync`), and on PostgreSQL a hot wallet's row stays locked until that flush is done; so instead of one
 * database transaction per piece of work, the batcher gathers the work submitted while the previous batch
 * was busy and runs it inside ONE database transaction:
 *
 *   begin; savepoint b0; work 0; release b0; savepoint b1; work 1; …; commit
 *
 * Guarantees, per submitted piece of work:
 * - Its effects commit only if it succeeds. If it throws (its own error or the database's), its work is
 *   rolled back to its savepoint — which also clears PostgreSQL's aborted-transaction state — and the rest
 *   of the batch carries on; only this submission rejects, with that error.
 * - It sees the writes of the work before it in the same batch (one transaction), so a second use of a
 *   ledger reference meets the first one's row and becomes a replay, never a second movement of money.
 * - Nobody hears back before the COMMIT has returned: results are settled only after it. If the COMMIT
 *   (or the transaction itself) fails, every submission of the batch rejects with that failure.
 * - Work that loses a PostgreSQL deadlock or serialization check is rolled back to its savepoint and runs
 *   again in a later batch (at most `retriesMax` times); the rest of its batch commits as usual.
 * - FIFO within a lane. Lanes run side by side (PostgreSQL: each on its own pooled connection); work
 *   submitted with the same key always shares a lane, so batches running at once never queue on each
 *   other's wallet rows, and a hot wallet is serialised by its row lock only, never more.
 * - Optimistic mode (PostgreSQL): a batch first runs without savepoints, a round trip less per piece of
 *   work; if anything in it fails, all of it is rolled back and the batch runs again as above. So work may
 *   run more than once — only its last run's effects commit — and must do nothing but database work.
 *
 * Work must use only the handle it is given (not the root database: on SQLite that waits for the batch it
 * is part of), and must not wait on anything slow: the whole batch waits with it.
 */
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

export const CAREFUL_BATCHES_AFTER_FAILURE = 16;

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

interface Item<H> {
  work: (handle: H) => Promise<unknown>;
  selfAtomic: boolean;
  combine: Combined<H> | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  attempts: number;
}

interface Lane<H> {
  queue: Item<H>[];
  busy: boolean;
  /** Batches still to run with savepoints before trying without again. */
  careful: number;
}

interface Ran<H> {
  item: Item<H>;
  outcome: Outcome;
}

interface BatchRun<H> {
  ran: Ran<H>[];
  /** Taken from the queue but never started (span bound reached, or the transaction broke first). */
  notStarted: Item<H>[];
  /** Set when the transaction itself failed; nothing in it can commit. */
  broken?: { error: unknown };
}

const SAVEPOINT_PREFIX = 'purse_b';

export class CommitBatcher<H> {
  readonly #settings: BatchSettings<H>;
  readonly #lanes: Lane<H>[];
  readonly #idleWaiters: Array<() => void> = [];
  readonly #stats: BatchStats = { batches: 0, items: 0, itemsLargest: 0, batchesFailed: 0, retries: 0, replays: 0, combined: 0 };
  readonly #batchObservers: BatchObserver[] = [];
  #closed = false;

  constructor(settings: BatchSettings<H>) {
    assert(Number.isInteger(settings.lanes) && settings.lanes >= 1, 'a batcher has at least one lane');
    assert(Number.isInteger(settings.itemsMax) && settings.itemsMax >= 1, 'a batch holds at least one piece of work');
    this.#settings = settings;
    this.#lanes = Array.from({ length: settings.lanes }, () => ({ queue: [], busy: false, careful: 0 }));
  }

  /** Runs `work` in the next batch of its lane; settles once that batch has committed (or failed). */
  submit<T>(work: (handle: H) => Promise<T>, opts: SubmitOptions<H> = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The store is closed'));
    const { key } = opts;
    const lane = this.#lanes[key === undefined ? 0 : laneOf(key, this.#lanes.length)];
    assert(lane, 'a key maps to an existing lane');
    return new Promise<T>((resolve, reject) => {
      lane.queue.push({ work, selfAtomic: opts.selfAtomic === true, combine: opts.combine, resolve: resolve as (value: unknown) => void, reject, attempts: 0 });
      this.#wake(lane);
    });
  }

  stats(): BatchStats {
    return { ...this.#stats };
  }

  /** Calls `observer` with the size of every batch run from now on (for /metrics). */
  observeBatches(observer: BatchObserver): void {
    this.#batchObservers.push(observer);
  }

  /** Refuses new work, then waits until everything already submitted has settled. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#lanes.some((lane) => lane.busy || lane.queue.length > 0)) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  #wake(lane: Lane<H>): void {
    if (lane.busy || lane.queue.length === 0) return;
    lane.busy = true;
    // setImmediate, not now: the requests whose bytes arrived in this event-loop turn submit their work
    // first, so it shares this commit instead of each paying for its own.
    setImmediate(() => void this.#drain(lane));
  }

  async #drain(lane: Lane<H>): Promise<void> {
    try {
      await this.#runBatch(lane);
    } finally {
      lane.busy = false;
      this.#wake(lane);
      if (!this.#lanes.some((l) => l.busy)) this.#idleWaiters.splice(0).forEach((notify) => notify());
    }
  }

  async #runBatch(lane: Lane<H>): Promise<void> {
    const items = lane.queue.splice(0, this.#settings.itemsMax);
    if (this.#settings.optimistic && lane.careful === 0) {
      if (await this.#runOptimistic(lane, items)) return;
      lane.careful = CAREFUL_BATCHES_AFTER_FAILURE;
      this.#stats.replays += 1;
    } else if (lane.careful > 0) {
      lane.careful -= 1;
    }
    await this.#runCareful(lane, items);
  }

  /**
   * No savepoints. True when every piece of work ran and the COMMIT went through (all settled); false when
   * anything failed, in which case everything was rolled back and nothing settled: the caller replays.
   */
  async #runOptimistic(lane: Lane<H>, items: Item<H>[]): Promise<boolean> {
    let trx: BatchTransaction<H>;
    try {
      trx = await this.#settings.begin();
    } catch {
      return false;
    }
    const outcomes = await runWithoutSavepoints(trx, items, this.#settings.spanMsMax);
    if (!outcomes) {
      await rollBack(trx, { error: undefined });
      return false;
    }
    const combined = outcomes.filter((_, index) => items[index]?.combine !== undefined).length;
    // A COMMIT that fails here fails again in the careful run, which then rejects the whole batch; unless
    // its outcome is unknown: then it may have committed, and running it again is never safe.
    const failure = await commitOrFailure(trx, outcomes.length);
    if (failure && this.#settings.outcomeUnknown?.(failure.error)) {
      this.#count(outcomes.length, true);
      for (const item of items.slice(0, outcomes.length)) item.reject(failure.error);
      lane.queue.unshift(...items.slice(outcomes.length));
      return true;
    }
    if (failure) return false;
    lane.queue.unshift(...items.slice(outcomes.length));
    this.#count(outcomes.length, false);
    this.#stats.combined += combined;
    outcomes.forEach((outcome, index) => settle(items[index], outcome));
    return true;
  }

  async #runCareful(lane: Lane<H>, items: Item<H>[]): Promise<void> {
    let trx: BatchTransaction<H>;
    try {
      trx = await this.#settings.begin();
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    const run = await this.#runItems(trx, items);
    lane.queue.unshift(...run.notStarted);
    const failure = run.broken ? await rollBack(trx, run.broken) : await commitOrFailure(trx, run.ran.length);
    this.#count(run.ran.length, failure !== undefined);
    const again: Item<H>[] = [];
    for (const { item, outcome } of run.ran) {
      if (failure) item.reject(failure.error);
      else if (outcome.ok) item.resolve(outcome.value);
      else if (this.#settings.retryable(outcome.error) && item.attempts < this.#settings.retriesMax) again.push(item);
      else item.reject(outcome.error);
    }
    for (const item of again) item.attempts += 1;
    this.#stats.retries += again.length;
    // Ahead of newer work: the deadlock victim was submitted first and should not wait twice.
    lane.queue.unshift(...again);
  }

  /** Runs each piece of work in its own savepoint, stopping early at the span bound or a broken transaction. */
  async #runItems(trx: BatchTransaction<H>, items: Item<H>[]): Promise<BatchRun<H>> {
    const startedMs = performance.now();
    const ran: Ran<H>[] = [];
    let open: string | null = null;
    for (const [index, item] of items.entries()) {
      if (index > 0 && performance.now() - startedMs >= this.#settings.spanMsMax) {
        return this.#finish(trx, ran, open, items.slice(index));
      }
      const savepoint = item.selfAtomic ? null : `${SAVEPOINT_PREFIX}${index}`;
      try {
        await advance(trx, ran, open, savepoint);
      } catch (error) {
        return { ran, notStarted: items.slice(index), broken: { error } };
      }
      open = savepoint;
      const outcome = await runWork(item, trx.handle);
      ran.push({ item, outcome });
      if (outcome.ok) continue;
      try {
        if (savepoint !== null) await trx.rollbackTo(savepoint);
        assert(trx.intact(), 'the database kept the transaction open after a failed statement');
      } catch (error) {
        return { ran, notStarted: items.slice(index + 1), broken: { error } };
      }
    }
    return this.#finish(trx, ran, open, []);
  }

  /** Releases the last savepoint before COMMIT: on PostgreSQL a COMMIT of an aborted transaction would quietly roll back. */
  async #finish(trx: BatchTransaction<H>, ran: Ran<H>[], open: string | null, notStarted: Item<H>[]): Promise<BatchRun<H>> {
    try {
      await advance(trx, ran, open, null);
      assert(trx.intact(), 'the transaction is still open before COMMIT');
      return { ran, notStarted };
    } catch (error) {
      return { ran, notStarted, broken: { error } };
    }
  }

  #count(items: number, failed: boolean): void {
    this.#stats.batches += 1;
    this.#stats.items += items;
    this.#stats.itemsLargest = Math.max(this.#stats.itemsLargest, items);
    if (failed) this.#stats.batchesFailed += 1;
    for (const observe of this.#batchObservers) observe(items, failed);
  }
}

/**
 * The optimistic run: each piece of work by itself, or with its neighbours through their combiner.
 * Undefined as soon as anything fails that may have left effects (the caller rolls back and replays);
 * a combiner's refusals leave none, so they stand. Stops taking work at the span bound.
 */
async function runWithoutSavepoints<H>(trx: BatchTransaction<H>, items: Item<H>[], spanMsMax: number): Promise<Outcome[] | undefined> {
  const startedMs = performance.now();
  const outcomes: Outcome[] = [];
  while (outcomes.length < items.length) {
    const index = outcomes.length;
    if (index > 0 && performance.now() - startedMs >= spanMsMax) break;
    const item = items[index];
    assert(item, 'the item exists');
    const combiner = item.combine?.combiner;
    if (combiner) {
      let end = index + 1;
      while (end < items.length && items[end]?.combine?.combiner === combiner) end += 1;
      const run = items.slice(index, end);
      let combined: Outcome[];
      try {
        combined = await combiner.run(trx.handle, run.map((r) => r.combine?.input));
      } catch {
        return undefined;
      }
      assert(combined.length === run.length, 'a combiner answers every input');
      outcomes.push(...combined);
      continue;
    }
    const outcome = await runWork(item, trx.handle);
    if (!outcome.ok) return undefined;
    outcomes.push(outcome);
  }
  return outcomes;
}

function settle<H>(item: Item<H> | undefined, outcome: Outcome): void {
  if (!item) return;
  if (outcome.ok) item.resolve(outcome.value);
  else item.reject(outcome.error);
}

async function runWork<H>(item: Item<H>, handle: H): Promise<Outcome> {
  try {
    return { ok: true, value: await item.work(handle) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Moves from one piece of work to the next. A release fails only when the work it closes left the
 * transaction unusable while claiming success (it swallowed a database error): that work is rolled back
 * to its savepoint and counted as failed, and the others are unharmed. Throws if the transaction is broken.
 */
async function advance<H>(trx: BatchTransaction<H>, ran: Ran<H>[], release: string | null, open: string | null): Promise<void> {
  if (release === null && open === null) return;
  try {
    await trx.advance(release, open);
    return;
  } catch (error) {
    const last = ran.at(-1);
    if (release === null || !last) throw error;
    await trx.rollbackTo(release);
    last.outcome = { ok: false, error };
  }
  await trx.advance(release, open);
}

async function commitOrFailure<H>(trx: BatchTransaction<H>, items: number): Promise<{ error: unknown } | undefined> {
  try {
    crashPoint('group-commit:before-commit');
    await trx.commit(items);
    crashPoint('group-commit:after-commit');
    return undefined;
  } catch (error) {
    // The transaction may still be open (SQLite keeps it after a failed COMMIT); end it either way.
    return rollBack(trx, { error });
  }
}

async function rollBack<H>(trx: BatchTransaction<H>, failure: { error: unknown }): Promise<{ error: unknown }> {
  // Its own failure is secondary: the batch has already failed with `failure`, and rollback frees the connection.
  await trx.rollback().catch(() => {});
  return failure;
}

/** FNV-1a: a cheap, stable spread of keys (tenant ids) over the lanes. */
export function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}
