import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The store's handle (db.ts's Db), named here so db.ts and this file do not import each other. */
type Db = Kysely<Database>;

/**
 * A commit rider: a row that must commit together with the first store transaction a piece of work
 * commits — the audit entry of an admin-API write (issue 23), whatever service makes the write. The
 * work runs inside `rideWithFirstCommit`; every `store.transact` started inside it (captured when it is
 * submitted, not when a batch runs it: a PostgreSQL batch runs other requests' work too) writes the
 * rider in its own transaction, after the work, until one of them commits. A transaction that fails
 * (a replayed reference, a refused write) rolls the rider back with it and leaves it for the next one.
 */
export interface CommitRider {
  write: (trx: Db) => Promise<void>;
  /** A transaction carrying it is in flight: a second one at the same time does not also carry it. */
  claimed: boolean;
  committed: boolean;
  /**
   * The write it belongs to is over (answered or failed): work that inherited its scope and runs later
   * (a timer or worker started during the request) must not carry it.
   */
  closed: boolean;
}

const RIDERS = new AsyncLocalStorage<CommitRider>();

export function newCommitRider(write: (trx: Db) => Promise<void>): CommitRider {
  return { write, claimed: false, committed: false, closed: false };
}

/** Runs `fn` (sync, e.g. a Fastify hook's `done`, or async) with `rider` waiting for the first commit it makes. */
export function rideWithFirstCommit<T>(rider: CommitRider, fn: () => T): T {
  return RIDERS.run(rider, fn);
}

/**
 * For the store's `transact`: the work to submit, carrying the rider if one waits in this scope, and
 * what to call once the transaction settled (committed or not).
 */
export function carryRider<T>(work: (trx: Db) => Promise<T>): { work: (trx: Db) => Promise<T>; settled: (committed: boolean) => void } | undefined {
  const rider = RIDERS.getStore();
  if (!rider || rider.claimed || rider.committed || rider.closed) return undefined;
  rider.claimed = true;
  return {
    work: async (trx) => {
      const value = await work(trx);
      await rider.write(trx);
      return value;
    },
    settled: (committed) => {
      rider.claimed = false;
      rider.committed ||= committed;
    },
  };
}

/** `transact` with the rider of this scope, if any; `submit` is the store's own transact. */
export async function submitWithRider<T, O>(work: (trx: Db) => Promise<T>, opts: O | undefined, submit: (work: (trx: Db) => Promise<T>, opts: O | undefined, carrying: boolean) => Promise<T>): Promise<T> {
  const carried = carryRider(work);
  if (!carried) return submit(work, opts, false);
  try {
    const value = await submit(carried.work, opts, true);
    carried.settled(true);
    return value;
  } catch (err) {
    carried.settled(false);
    throw err;
  }
}
