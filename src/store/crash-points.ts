import { writeSync } from 'node:fs';

/**
 * Test-only crash points: named places in a money path where a crash test SIGKILLs the process, to
 * prove that a restart on the same database loses nothing acknowledged and applies nothing twice.
 * Inert unless `purse serve` runs with PURSE_ENV=test and PURSE_TEST_CRASH_AT=<point> (or
 * `<point>@<n>`: die on its n-th hit), which config refuses in any other environment. A new money path
 * adds its point here and calls `crashPoint(...)`; src/testing/crash.ts drives it.
 */
export const CRASH_POINTS = [
  // Inside a group commit: every piece of work of the batch ran, COMMIT not yet sent.
  'group-commit:before-commit',
  // COMMIT returned, nobody has heard back yet (the client gets no 2xx).
  'group-commit:after-commit',
  // A webhook is stored in the inbox, not yet processed nor acknowledged.
  'webhook:after-inbox-insert',
  // A webhook on the inbox's one-commit path: stored and handled in its transaction, COMMIT not yet sent.
  'webhook:before-one-commit',
  // A webhook that overtook the credit it depends on is parked on it, not yet looked at again.
  'webhook:after-park',
  // Issue 22: a receipt's number taken and its row written, in the crediting transaction, COMMIT not yet sent.
  'receipt:after-issue',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Printed (synchronously, to stderr) just before the process kills itself. */
export const CRASH_MARKER = 'PURSE_CRASH_POINT';

let armed: { point: CrashPoint; hitsLeft: number } | undefined;

/** Arms one point for this process; `undefined` disarms. Only `purse serve` calls this. */
export function armCrashPoint(spec: { point: CrashPoint; hit: number } | undefined): void {
  armed = spec ? { point: spec.point, hitsLeft: spec.hit } : undefined;
}

export function crashPoint(point: CrashPoint): void {
  if (armed?.point !== point) return;
  armed.hitsLeft -= 1;
  if (armed.hitsLeft > 0) return;
  writeSync(2, `${CRASH_MARKER} ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
}
