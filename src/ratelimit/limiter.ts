/**
 * Per-key token buckets: capacity = the per-minute limit, refilled continuously at limit/60 tokens per second.
 * One interface, two homes: this process's memory, or Redis so that every instance shares one budget.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one token is available (only meaningful when not allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  consume(key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export const RATE_WINDOW_MS = 60_000;
/** Buckets idle this long are forgotten (they would be full anyway). */
const MEMORY_IDLE_EVICT_MS = 2 * RATE_WINDOW_MS;
const MEMORY_SWEEP_EVERY = 10_000;

export interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/** Pure bucket arithmetic, shared by the memory limiter and mirrored by the Redis script. */
export function takeToken(bucket: Bucket | undefined, limit: number, nowMs: number): { bucket: Bucket; decision: RateDecision } {
  const ratePerMs = limit / RATE_WINDOW_MS;
  const elapsedMs = bucket ? Math.max(0, nowMs - bucket.updatedAtMs) : 0;
  const refilled = bucket ? Math.min(limit, bucket.tokens + elapsedMs * ratePerMs) : limit;
  const allowed = refilled >= 1;
  const tokens = allowed ? refilled - 1 : refilled;
  return { bucket: { tokens, updatedAtMs: nowMs }, decision: decide(allowed, limit, tokens, ratePerMs) };
}

export function decide(allowed: boolean, limit: number, tokens: number, ratePerMs: number): RateDecision {
  return {
    allowed,
    limit,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.ceil((limit - tokens) / ratePerMs / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000)),
  };
}

export function memoryRateLimiter(limitPerMinute: number, nowMs: () => number): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let calls = 0;
  return {
    async consume(key) {
      const now = nowMs();
      if (++calls % MEMORY_SWEEP_EVERY === 0) evictIdle(buckets, now);
      const { bucket, decision } = takeToken(buckets.get(key), limitPerMinute, now);
      buckets.set(key, bucket);
      return decision;
    },
    async close() {},
  };
}

function evictIdle(buckets: Map<string, Bucket>, nowMs: number): void {
  for (const [key, bucket] of buckets) {
    if (nowMs - bucket.updatedAtMs > MEMORY_IDLE_EVICT_MS) buckets.delete(key);
  }
}
