import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventLog } from './events.ts';
import type { SandboxState } from './state.ts';
import type { StripeEvent } from './types.ts';

/**
 * Keeps the sandbox's objects in a JSON file (in Purse's data directory under `npm start`), so that a
 * restart keeps the demo tenant's customer and open checkout links working. A snapshot is written
 * when the state changed, at most every PERSIST_EVERY_MS and on close; a kill -9 loses at most that
 * window, which is fine for a development sandbox. Idempotency keys and webhook deliveries in flight
 * are not kept (Stripe's own keys expire too; Purse's inbox and reconcile recover missed events).
 */
export const PERSIST_EVERY_MS = 500;
const SNAPSHOT_VERSION = 1;

const MAP_NAMES = [
  'customers', 'paymentMethods', 'cardByPaymentMethod', 'setupIntents', 'paymentIntents', 'charges', 'refunds', 'disputes', 'sessions',
] as const;

interface Snapshot {
  version: number;
  maps: Record<(typeof MAP_NAMES)[number], Array<[string, unknown]>>;
  events: StripeEvent[];
}

export function snapshotOf(state: SandboxState, events: EventLog): string {
  const maps = Object.fromEntries(MAP_NAMES.map((name) => [name, [...(state[name] as Map<string, unknown>).entries()]]));
  return JSON.stringify({ version: SNAPSHOT_VERSION, maps, events: [...events.newestFirst()].reverse() });
}

/** Loads a snapshot into empty state; a missing file is a first start, a file of another version is ignored. */
export function restoreFrom(file: string, state: SandboxState, events: EventLog): boolean {
  if (!existsSync(file)) return false;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  if (snapshot.version !== SNAPSHOT_VERSION) return false;
  for (const name of MAP_NAMES) {
    const map = state[name] as Map<string, unknown>;
    for (const [id, value] of snapshot.maps[name] ?? []) map.set(id, value);
  }
  for (const event of snapshot.events ?? []) events.restore(event);
  return true;
}

/**
 * Writes the snapshot when it changed; atomically (a temporary file renamed over the old one).
 *
 * Building the snapshot costs O(state) (tens of milliseconds with tens of thousands of sessions, on the
 * event loop of the process the sandbox runs in), so the timer builds one only when something may have
 * changed: `changes()` moved since the last look (it counts every state-changing request and every emitted
 * event; each change of a kept object comes with one or the other). On close the snapshot is always
 * built and compared, whatever the counter says.
 */
export function startPersistence(file: string, state: SandboxState, events: EventLog, changes: () => number): { flush(): void; stop(): void } {
  mkdirSync(dirname(file), { recursive: true });
  let written = snapshotOf(state, events);
  let seen = changes();
  const write = (): void => {
    seen = changes();
    const next = snapshotOf(state, events);
    if (next === written) return;
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, next);
    renameSync(temporary, file);
    written = next;
  };
  const flush = (): void => {
    if (changes() !== seen) write();
  };
  const timer = setInterval(flush, PERSIST_EVERY_MS);
  timer.unref();
  return {
    flush,
    stop: () => {
      clearInterval(timer);
      write();
    },
  };
}
