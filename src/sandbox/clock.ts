/** Time source for everything in the sandbox: object timestamps, expiry, signatures, idempotency TTL. */
export interface SandboxClock {
  nowMs(): number;
  advance(seconds: number): void;
}

const msPerSecond = 1000;

/** Wall-clock time plus whatever has been advanced, so `advance` works without freezing time. */
export function createSystemClock(): SandboxClock {
  let offsetMs = 0;
  return {
    nowMs: () => Date.now() + offsetMs,
    advance: (seconds) => {
      offsetMs += seconds * msPerSecond;
    },
  };
}

/** Frozen time that moves only when told to; lets tests assert exact timestamps. */
export function createManualClock(startMs: number): SandboxClock {
  let currentMs = startMs;
  return {
    nowMs: () => currentMs,
    advance: (seconds) => {
      currentMs += seconds * msPerSecond;
    },
  };
}

export function unixSeconds(clock: SandboxClock): number {
  return Math.floor(clock.nowMs() / msPerSecond);
}
