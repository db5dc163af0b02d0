import { assert } from '../errors/purse-error.ts';
import type { BatchTransaction, Item, Outcome, Ran } from './commit-batcher-types.ts';
import { crashPoint } from './crash-points.ts';

/** The steps of one batch (commit-batcher.ts): running work, moving between savepoints, committing or rolling back. */

/**
 * The optimistic run: each piece of work by itself, or with its neighbours through their combiner.
 * Undefined as soon as anything fails that may have left effects (the caller rolls back and replays);
 * a combiner's refusals leave none, so they stand. Stops taking work at the span bound.
 */
export async function runWithoutSavepoints<H>(trx: BatchTransaction<H>, items: Item<H>[], spanMsMax: number): Promise<Outcome[] | undefined> {
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

export function settle<H>(item: Item<H> | undefined, outcome: Outcome): void {
  if (!item) return;
  if (outcome.ok) item.resolve(outcome.value);
  else item.reject(outcome.error);
}

export async function runWork<H>(item: Item<H>, handle: H): Promise<Outcome> {
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
export async function advance<H>(trx: BatchTransaction<H>, ran: Ran<H>[], release: string | null, open: string | null): Promise<void> {
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

export async function commitOrFailure<H>(trx: BatchTransaction<H>, items: number): Promise<{ error: unknown } | undefined> {
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

export async function rollBack<H>(trx: BatchTransaction<H>, failure: { error: unknown }): Promise<{ error: unknown }> {
  // Its own failure is secondary: the batch has already failed with `failure`, and rollback frees the connection.
  await trx.rollback().catch(() => {});
  return failure;
}
