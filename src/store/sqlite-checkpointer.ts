import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own. A checkpoint copies committed pages from the WAL into the
 * database file and fsyncs it; run by the writing connection (SQLite's default, every 1000 pages) it
 * blocks the event loop for milliseconds inside some unlucky COMMIT. Here a second connection, on a
 * worker thread, runs a PASSIVE checkpoint (it never blocks the writer) every CHECKPOINT_EVERY_MS, and
 * the writer's own automatic checkpoint stays as a backstop, at CHECKPOINT_BACKSTOP_PAGES, should the
 * worker fall behind or die. Durability is unchanged: a commit is durable once its WAL frames are synced.
 */
export const CHECKPOINT_EVERY_MS = 100;
export const CHECKPOINT_BACKSTOP_PAGES = 10_000;

// Plain CommonJS, evaluated in the worker: it needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
// FULL: the database file is synced before the WAL may be reset over the pages just copied.
db.pragma('synchronous = FULL');
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const timer = setInterval(() => {
  try { checkpoint(); } catch { /* busy or closing: the next round, or the backstop, catches up */ }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    parentPort.postMessage(checkpoint());
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** One checkpoint now, on the worker (tests use it; the timer does the same on its own). */
  checkpointNow(): Promise<{ busy: number; log: number; checkpointed: number }>;
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, busyTimeoutMs: number): Checkpointer {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driverPath, busyTimeoutMs, everyMs: CHECKPOINT_EVERY_MS } });
  // A dead checkpointer costs speed, not data: the writer's own checkpoint takes over.
  worker.on('error', () => {});
  const exited = once(worker, 'exit');
  return {
    async checkpointNow() {
      worker.postMessage('checkpoint');
      const [result] = (await once(worker, 'message')) as [{ busy: number; log: number; checkpointed: number }];
      return result;
    },
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
