const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** Wait after the n-th failed attempt (SPEC §8.3); past the end of the table the last entry repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [5 * SECOND_MS, 5 * MINUTE_MS, 30 * MINUTE_MS, 2 * HOUR_MS, 5 * HOUR_MS, 10 * HOUR_MS];
/** Each wait is stretched or shrunk by up to this share, so receivers recovering from an outage are not hit in lockstep. */
export const RETRY_JITTER_RATIO = 0.1;
/** A delivery still failing this long after it was created is given up (`failed`; redeliver replays it). */
export const DELIVERY_GIVE_UP_AFTER_MS = 3 * 24 * HOUR_MS;
/** An endpoint whose deliveries have failed without a single success for this long is disabled. */
export const ENDPOINT_DISABLE_AFTER_MS = 3 * 24 * HOUR_MS;

/** The wait before the next attempt, given how many attempts have failed so far (≥ 1); `random` in [0, 1). */
export function retryDelayMs(failedAttempts: number, random: number): number {
  const base = RETRY_DELAYS_MS[Math.min(failedAttempts, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0]!;
  return Math.round(base * (1 - RETRY_JITTER_RATIO + 2 * RETRY_JITTER_RATIO * random));
}

export type AttemptVerdict = { state: 'delivered' } | { state: 'pending'; nextAttemptAtMs: number } | { state: 'failed' };

/** What a finished attempt means for its delivery. */
export function judgeAttempt(ok: boolean, failedAttempts: number, createdAtMs: number, nowMs: number, random: number): AttemptVerdict {
  if (ok) return { state: 'delivered' };
  if (nowMs - createdAtMs >= DELIVERY_GIVE_UP_AFTER_MS) return { state: 'failed' };
  return { state: 'pending', nextAttemptAtMs: nowMs + retryDelayMs(failedAttempts, random) };
}
