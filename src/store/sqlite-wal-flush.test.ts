import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './db.ts';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.ts';
import { type FlushMode, type WalFlusher, walFlusher } from './sqlite-wal-flush.ts';

/**
 * The WAL flush off the event loop (SQLite only: it is the SQLite driver's). A real file database and the
 * real flusher; the gate below only holds the real flush back so the test can look at the moment between
 * COMMIT and the end of the flush.
 */
const SYNCHRONOUS_NORMAL = 1n;
const SYNCHRONOUS_FULL = 2n;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'purse-wal-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'store.sqlite');
}

interface Gated extends WalFlusher {
  /** Resolves when a flush has been asked for (COMMIT has run). */
  entered: Promise<void>;
  open(): void;
  /** The mode of every flush asked for, in order. */
  modes: FlushMode[];
}

function gated(inner: WalFlusher): Gated {
  let enter: () => void = () => {};
  let open: () => void = () => {};
  const entered = new Promise<void>((resolve) => { enter = resolve; });
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const modes: FlushMode[] = [];
  return {
    entered, open, modes,
    flush: async (mode) => {
      modes.push(mode);
      enter();
      await gate;
      await inner.flush(mode);
    },
    failure: () => inner.failure(),
    close: () => inner.close(),
  };
}

function openDirect(path: string, flusher: WalFlusher): Kysely<Record<string, { id: string }>> {
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Record<string, { id: string }>>({ dialect: new GroupCommitSqliteDialect(database, { flusher }) });
  cleanups.push(() => db.destroy());
  return db;
}

function createProbeTable(path: string): void {
  const setup = new BetterSqlite3(path);
  setup.pragma('journal_mode = WAL');
  setup.exec('create table probe (id text primary key)');
  setup.close();
}

/** Lets every callback already due run (promise reactions and immediates), without waiting on time. */
const settleDue = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SQLite WAL flush off the event loop', () => {
  it('[sqlite-only] answers a write, and a read queued behind it, only once the WAL has been flushed', async () => {
    const path = tempPath();
    createProbeTable(path);
    const flusher = gated(walFlusher(path));
    const db = openDirect(path, flusher);
    let written = false;
    let read: string[] | undefined;
    const write = sql`insert into probe (id) values ('a')`.execute(db).then(() => { written = true; });
    await flusher.entered;
    const reading = sql<{ id: string }>`select id from probe`.execute(db).then((r) => { read = r.rows.map((row) => row.id); });
    await settleDue();
    expect({ written, read }).toEqual({ written: false, read: undefined });
    flusher.open();
    await Promise.all([write, reading]);
    expect({ written, read }).toEqual({ written: true, read: ['a'] });
  });

  it('[sqlite-only] flushes a batch of one inline and a batch of many on the thread pool', async () => {
    const path = tempPath();
    createProbeTable(path);
    const flusher = gated(walFlusher(path));
    flusher.open();
    const db = openDirect(path, flusher);
    await sql`insert into probe (id) values ('alone')`.execute(db);
    // Submitted in one turn of the event loop: one batch of three.
    await Promise.all(['x', 'y', 'z'].map((id) => sql`insert into probe (id) values (${id})`.execute(db)));
    expect(flusher.modes).toEqual(['inline', 'pool']);
    const rows = await sql<{ id: string }>`select id from probe order by id`.execute(db);
    expect(rows.rows.map((r) => r.id)).toEqual(['alone', 'x', 'y', 'z']);
  });

  it('[sqlite-only] a failed flush rejects its batch and refuses every later write without writing it', async () => {
    const path = tempPath();
    createProbeTable(path);
    // A flusher for a WAL that does not exist: its first flush fails, as a disk error would.
    const db = openDirect(path, walFlusher(join(path, 'no-such-dir', 'store.sqlite')));
    await expect(sql`insert into probe (id) values ('first')`.execute(db)).rejects.toThrow(/could not flush its write-ahead log.*restart Purse/);
    await expect(sql`insert into probe (id) values ('later')`.execute(db)).rejects.toThrow(/could not flush its write-ahead log/);
    const check = new BetterSqlite3(path);
    cleanups.push(() => { check.close(); });
    // The first COMMIT ran before its flush failed (what reached the disk is unknown); the later write never started.
    expect(check.prepare('select id from probe order by id').all()).toEqual([{ id: 'first' }]);
  });

  it('[sqlite-only] a file store commits with synchronous=NORMAL and flushes itself; an in-memory one syncs in COMMIT', async () => {
    const file = openStore(`sqlite:${tempPath()}`);
    const memory = openStore('sqlite::memory:');
    cleanups.push(() => file.close(), () => memory.close());
    const synchronous = async (store: typeof file) => (await sql<{ synchronous: bigint }>`pragma synchronous`.execute(store.db)).rows[0]?.synchronous;
    expect(await synchronous(file)).toBe(SYNCHRONOUS_NORMAL);
    expect(await synchronous(memory)).toBe(SYNCHRONOUS_FULL);
  });
});
