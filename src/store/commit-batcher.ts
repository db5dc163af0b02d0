import { assert } from '../errors/purse-error.ts';
import { advance, commitOrFailure, rollBack, runWithoutSavepoints, runWork, settle } from './batch-steps.ts';
import type { BatchObserver, BatchRun, BatchSettings, BatchStats, BatchTransaction, Item, Lane, Ran, SubmitOptions } from './commit-batcher-types.ts';

export type { BatchObserver, BatchSettings, BatchStats, BatchTransaction, Combined, Combiner, Outcome, SubmitOptions } from './commit-batcher-types.ts';

export const CAREFUL_BATCHES_AFTER_FAILURE = 16;

const SAVEPOINT_PREFIX = 'purse_b';

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

/** FNV-1a: a cheap, stable spread of keys (tenant ids) over the lanes. */
export function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}
