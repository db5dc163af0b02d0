import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/**
 * The flush of a SQLite commit, off the event loop. With `synchronous=FULL` SQLite fsyncs the WAL inside
 * COMMIT, and better-sqlite3 runs COMMIT on the event loop: every request waits out the disk flush (about a
 * third of the busy time of a durable debit). Instead the connection runs `synchronous=NORMAL` in WAL mode
 * (COMMIT writes the frames to the OS but does not sync them) and the group commit syncs the WAL file
 * itself with `fdatasync` on libuv's thread pool before anyone hears back. So:
 *
 * - a 2xx still means committed AND flushed: nothing of a batch is answered, and no read outside a
 *   transaction runs, until the WAL holding it has been synced;
 * - fsync flushes the file, not one descriptor's writes: syncing our own descriptor of `<db>-wal` covers
 *   the frames the connection wrote (Linux, and every POSIX system SQLite runs on);
 * - SQLite's own checkpoint still syncs the WAL before copying it into the database, and the database
 *   after (that is what NORMAL keeps in WAL mode), so a checkpoint never relies on our flush;
 * - the WAL file is the same file for as long as this connection is open (SQLite deletes it only when the
 *   last connection closes; a TRUNCATE checkpoint shortens it in place).
 *
 * A batch of one piece of work is flushed `inline` (fdatasync on the event loop, as FULL would): with
 * nothing else in flight the round trip to the thread pool only adds latency (about 0.2 ms per request one
 * at a time, measured on checkout creation). A batch of many is flushed on the `pool`.
 *
 * A failed flush leaves it unknown what reached the disk, and retrying an fsync after a failure can
 * falsely succeed (the kernel may have dropped the dirty pages): the flusher stays failed, and the store
 * refuses every later write with that error instead of answering for data it cannot vouch for.
 */
export type FlushMode = 'inline' | 'pool';

export interface WalFlusher {
  /** Resolves once every frame written before the call is on disk; rejects (for good) if a flush failed. */
  flush(mode: FlushMode): Promise<void>;
  /** The failure that ended durability, if any. */
  failure(): Error | undefined;
  close(): Promise<void>;
}

export function walFlusher(databasePath: string): WalFlusher {
  const walPath = `${databasePath}-wal`;
  let descriptor: number | undefined;
  let failed: Error | undefined;
  const sync = async (mode: FlushMode): Promise<void> => {
    descriptor ??= openSync(walPath, 'r');
    const fd = descriptor;
    if (mode === 'inline') {
      fdatasyncSync(fd);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      fdatasync(fd, (error) => (error ? reject(error) : resolve()));
    });
  };
  return {
    async flush(mode) {
      if (failed) throw failed;
      try {
        await sync(mode);
      } catch (error) {
        failed = new Error(`SQLite could not flush its write-ahead log (${walPath}): ${(error as Error).message}; `
          + 'durability can no longer be promised, restart Purse', { cause: error });
        throw failed;
      }
    },
    failure: () => failed,
    async close() {
      if (descriptor === undefined) return;
      const fd = descriptor;
      descriptor = undefined;
      try {
        closeSync(fd);
      } catch {
        // Already gone: nothing left to release.
      }
    },
  };
}
