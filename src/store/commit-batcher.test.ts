import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../context.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { openWallet } from '../ledger/accounts.ts';
import type { TransactionInput } from '../ledger/post-transaction.ts';
import { recordTransaction } from '../testing/record-transaction.ts';
import { freshDatabase, testDatabaseKind } from '../testing/harness.ts';
import { laneOf } from './commit-batcher.ts';
import { type Db, PG_BATCH_ITEMS_MAX, PG_BATCH_LANES, type Store, openStore } from './db.ts';
import { migrateToLatest } from './migrate.ts';
import { SQLITE_BATCH_ITEMS_MAX } from './sqlite-group-commit.ts';

/**
 * The group commit on a real database (SQLite, or PostgreSQL with PURSE_TEST_DATABASE_URL). Work submitted
 * in one tick forms one batch (the batcher starts on setImmediate); the time bound is switched off so that
 * batch membership does not depend on how fast this machine is.
 */
let store: Store;
let dropDatabase: () => Promise<void>;
let ctx: Ctx;
let itemsMax: number;

beforeAll(async () => {
  const fresh = await freshDatabase();
  dropDatabase = fresh.drop;
  store = openStore(fresh.url, { ...(fresh.schema ? { pgSchema: fresh.schema } : {}), batch: { spanMsMax: Number.POSITIVE_INFINITY } });
  await migrateToLatest(store);
  itemsMax = store.dialect === 'postgres' ? PG_BATCH_ITEMS_MAX : SQLITE_BATCH_ITEMS_MAX;
  await sql.raw('create table batch_probe (id text primary key, note text)').execute(store.db);
  await sql.raw('create table batch_parent (id integer primary key)').execute(store.db);
  await sql.raw('create table batch_child (id integer primary key, parent_id integer references batch_parent (id) deferrable initially deferred)').execute(store.db);
  // recordTransaction needs only the store and a clock.
  ctx = { store, nowMs: () => Date.now() } as unknown as Ctx;
});

afterAll(async () => {
  await store?.close();
  await dropDatabase?.();
});

let probeCounter = 0;
function probeId(): string {
  probeCounter += 1;
  return `p${probeCounter}`;
}

async function insertProbe(db: Db, id: string, note: string | null = null): Promise<void> {
  await sql`insert into batch_probe (id, note) values (${id}, ${note})`.execute(db);
}

async function probesAmong(ids: string[]): Promise<string[]> {
  const rows = await sql<{ id: string }>`select id from batch_probe`.execute(store.db);
  return rows.rows.map((r) => r.id).filter((id) => ids.includes(id)).sort();
}

/** Runs `submit` and reports how many batches it took. */
async function countBatches<T>(submit: () => Promise<T>): Promise<{ batches: number; result: T }> {
  const before = store.batchStats().batches;
  const result = await submit();
  return { batches: store.batchStats().batches - before, result };
}

async function newTenant(fundsMinor: bigint): Promise<string> {
  const tenantId = `ten_batch_${probeId()}`;
  const nowMs = Date.now();
  await store.transact(async (trx) => {
    await trx.insertInto('tenants').values({ id: tenantId, name: 'Batch', currency: 'BRL', status: 'active', stripe_customer_id: null, created_at_ms: BigInt(nowMs) }).execute();
    await openWallet(trx, tenantId, 'BRL', nowMs);
  });
  await recordTransaction(ctx, {
    reference: `fund:${tenantId}`, kind: 'adjustment', tenantId, currency: 'BRL', overdraft: 'allow',
    postings: [{ accountId: walletAccountId(tenantId), amountMinor: fundsMinor }, { accountId: systemAccountId('adjustments', 'BRL'), amountMinor: -fundsMinor }],
  });
  return tenantId;
}

function debit(tenantId: string, reference: string, amountMinor: bigint): TransactionInput {
  return {
    reference, kind: 'usage', tenantId, currency: 'BRL', overdraft: 'forbid',
    postings: [{ accountId: walletAccountId(tenantId), amountMinor: -amountMinor }, { accountId: systemAccountId('usage_revenue', 'BRL'), amountMinor }],
  };
}

/** A one-shot signal: `opened` resolves once `open` is called. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

async function balanceMinor(tenantId: string): Promise<bigint> {
  const row = await store.db.selectFrom('wallets').select('balance_minor').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return row.balance_minor;
}

describe('group commit: concurrent work and its own failures', () => {
  it('commits many concurrent transactions, sharing commits', async () => {
    const ids = Array.from({ length: 100 }, probeId);
    const { batches, result } = await countBatches(() => Promise.all(ids.map((id) => store.transact(async (trx) => {
      await insertProbe(trx, id);
      return id;
    }))));
    expect(result).toEqual(ids);
    expect(await probesAmong(ids)).toEqual([...ids].sort());
    expect(batches).toBe(Math.ceil(ids.length / itemsMax));
  });

  it('a failure in the middle of a batch rolls back only its own work and rejects only its caller', async () => {
    const [a, b, c, d, e] = Array.from({ length: 5 }, probeId) as [string, string, string, string, string];
    const { batches, result } = await countBatches(() => Promise.allSettled([
      store.transact((trx) => insertProbe(trx, a)),
      store.transact((trx) => insertProbe(trx, b)),
      store.transact(async (trx) => {
        await insertProbe(trx, c);
        throw new Error('the work itself failed');
      }),
      // A database error: on PostgreSQL it leaves the transaction aborted until ROLLBACK TO SAVEPOINT.
      store.transact(async (trx) => {
        await insertProbe(trx, d);
        await insertProbe(trx, a);
      }),
      store.transact((trx) => insertProbe(trx, e)),
    ]));
    expect(batches).toBe(1);
    expect(result.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((result[2] as PromiseRejectedResult).reason.message).toBe('the work itself failed');
    expect((result[3] as PromiseRejectedResult).reason.message).toMatch(/unique|UNIQUE/);
    expect(await probesAmong([a, b, c, d, e])).toEqual([a, b, e].sort());
  });
});

describe('group commit: a swallowed database error and a failed COMMIT', () => {
  it('work that swallows a database error cannot take its batch down with it', async () => {
    const [taken, swallower, after] = [probeId(), probeId(), probeId()];
    await insertProbe(store.db, taken);
    const result = await Promise.allSettled([
      store.transact(async (trx) => {
        await insertProbe(trx, swallower);
        await insertProbe(trx, taken).catch(() => {});
        return 'claims success';
      }),
      store.transact((trx) => insertProbe(trx, after)),
    ]);
    expect(result[1].status).toBe('fulfilled');
    if (store.dialect === 'postgres') {
      // Its transaction was aborted: it cannot commit, and it is told so.
      expect(result[0].status).toBe('rejected');
      expect(await probesAmong([swallower, after])).toEqual([after]);
    } else {
      // SQLite undoes only the failed statement; the rest of the work stands.
      expect(result[0]).toEqual({ status: 'fulfilled', value: 'claims success' });
      expect(await probesAmong([swallower, after])).toEqual([swallower, after].sort());
    }
  });

  it('a failed COMMIT rejects every caller of the batch and writes nothing; the next batch works', async () => {
    const [a, b] = [probeId(), probeId()];
    const { batches, result } = await countBatches(() => Promise.allSettled([
      store.transact((trx) => insertProbe(trx, a)),
      // Every statement succeeds; the deferred foreign key fails only at COMMIT.
      store.transact(async (trx) => {
        await sql`insert into batch_child (id, parent_id) values (${probeCounter}, ${-1})`.execute(trx);
      }),
    ]));
    expect(batches).toBe(1);
    expect(result.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((result[0] as PromiseRejectedResult).reason).toBe((result[1] as PromiseRejectedResult).reason);
    expect(await probesAmong([a])).toEqual([]);
    await store.transact((trx) => insertProbe(trx, b));
    expect(await probesAmong([b])).toEqual([b]);
  });
});

describe('group commit: ledger transactions in one batch', () => {
  it('the same ledger reference twice in one batch moves money once', async () => {
    const tenantId = await newTenant(1_000n);
    const input = debit(tenantId, `usage:${tenantId}:twice`, 300n);
    const { batches, result } = await countBatches(() => Promise.all([recordTransaction(ctx, input), recordTransaction(ctx, input)]));
    expect(batches).toBe(1);
    expect(result.map((r) => r.created)).toEqual([true, false]);
    expect(result[1]?.transaction).toEqual(result[0]?.transaction);
    expect(await balanceMinor(tenantId)).toBe(700n);
  });

  it('debits racing in one batch never overdraw the wallet', async () => {
    const tenantId = await newTenant(500n);
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => recordTransaction(ctx, debit(tenantId, `usage:${tenantId}:${i}`, 100n))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(['INSUFFICIENT_FUNDS', 'INSUFFICIENT_FUNDS', 'INSUFFICIENT_FUNDS']);
    expect(await balanceMinor(tenantId)).toBe(0n);
  });
});

describe('group commit: closing the store', () => {
  it('refuses work once the store is closing, after finishing what it already had', async () => {
    const fresh = await freshDatabase();
    const other = openStore(fresh.url, fresh.schema ? { pgSchema: fresh.schema } : {});
    await sql.raw('create table batch_probe (id text primary key, note text)').execute(other.db);
    const workStarted = gate();
    const mayFinish = gate();
    const pending = other.transact(async (trx) => {
      await insertProbe(trx, 'before-close');
      workStarted.open();
      await mayFinish.opened;
      return 'committed';
    });
    await workStarted.opened;
    const closing = other.close();
    await expect(other.transact(async () => 'late')).rejects.toThrow(/closed/);
    mayFinish.open();
    await expect(pending).resolves.toBe('committed');
    await closing;
    await fresh.drop();
  });
});

describe.runIf(testDatabaseKind() === 'sqlite')('group commit on SQLite [sqlite-only]', () => {
  it('writes outside a transaction share one commit and are answered after it', async () => {
    const ids = Array.from({ length: 20 }, probeId);
    const { batches } = await countBatches(() => Promise.all(ids.map((id) => insertProbe(store.db, id))));
    expect(batches).toBe(1);
    expect(await probesAmong(ids)).toEqual([...ids].sort());
  });

  it('a read outside a transaction waits for the open batch, so it sees committed data only', async () => {
    const [first, second] = [probeId(), probeId()];
    let read: Promise<string[]> = Promise.resolve([]);
    let readFinishedInsideWork = true;
    let readFinished = false;
    await store.transact(async (trx) => {
      await insertProbe(trx, first);
      read = probesAmong([first, second]).finally(() => {
        readFinished = true;
      });
      await insertProbe(trx, second);
      readFinishedInsideWork = readFinished;
    });
    expect(readFinishedInsideWork).toBe(false);
    expect(await read).toEqual([first, second].sort());
  });
});

describe.runIf(testDatabaseKind() === 'postgres')('group commit on PostgreSQL [postgres-only]', () => {
  it('a COMMIT that PostgreSQL turns into a ROLLBACK is an error, never a success', async () => {
    const taken = probeId();
    await insertProbe(store.db, taken);
    // The failed insert aborts the transaction; the caller ignores it and asks to commit anyway.
    const swallowing = store.db.transaction().execute(async (trx) => {
      await insertProbe(trx, taken).catch(() => {});
    });
    await expect(swallowing).rejects.toThrow(/COMMIT rolled back/);
  });

  it('a deadlock victim is rolled back to its savepoint and runs again in a later batch', async () => {
    const [x, y] = [probeId(), probeId()];
    await insertProbe(store.db, x);
    await insertProbe(store.db, y);
    const [keyA, keyB] = twoKeysInDifferentLanes();
    const lock = (trx: Db, id: string) => sql`select id from batch_probe where id = ${id} for update`.execute(trx);
    const aHoldsX = gate();
    const bHoldsY = gate();
    // The victim's work runs once more: as a retry (careful batch, rolled back to its savepoint) or as part of
    // its batch's careful replay (an optimistic batch has no savepoint to roll back to), whichever mode it met.
    const ranAgain = () => store.batchStats().retries + store.batchStats().replays;
    const ranAgainBefore = ranAgain();
    const results = await Promise.all([
      store.transact(async (trx) => {
        await lock(trx, x);
        aHoldsX.open();
        await bHoldsY.opened;
        await lock(trx, y);
        return 'a';
      }, { key: keyA }),
      store.transact(async (trx) => {
        await lock(trx, y);
        bHoldsY.open();
        await aHoldsX.opened;
        await lock(trx, x);
        return 'b';
      }, { key: keyB }),
    ]);
    expect(results).toEqual(['a', 'b']);
    expect(ranAgain() - ranAgainBefore).toBe(1);
  });
});

function twoKeysInDifferentLanes(): [string, string] {
  const first = 'lane-key-0';
  for (let i = 1; ; i += 1) {
    const candidate = `lane-key-${i}`;
    if (laneOf(candidate, PG_BATCH_LANES) !== laneOf(first, PG_BATCH_LANES)) return [first, candidate];
  }
}
