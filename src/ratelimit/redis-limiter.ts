import { Redis } from 'ioredis';
import { RATE_WINDOW_MS, type RateLimiter, decide } from './limiter.ts';

const REDIS_KEY_PREFIX = 'purse:rl:';
const REDIS_CONNECT_TIMEOUT_MS = 2_000;
const REDIS_COMMAND_TIMEOUT_MS = 1_000;

// The same bucket arithmetic as takeToken(), atomically inside Redis so instances share one budget.
// KEYS[1] bucket; ARGV: limit, nowMs, ttlMs. Returns {allowed, tokens*1000}.
const TAKE_TOKEN_LUA = `
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local rate = limit / ${RATE_WINDOW_MS}
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = limit
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  tokens = math.min(limit, tonumber(state[1]) + elapsed * rate)
end
local allowed = 0
if tokens >= 1 then
  allowed = 1
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {allowed, math.floor(tokens * 1000)}
`;

/**
 * Uses the caller's clock for "now", not Redis's, so every instance must keep reasonable time;
 * a skew only shifts refill slightly and never lets a bucket exceed its capacity.
 */
export function redisRateLimiter(url: string, limitPerMinute: number, nowMs: () => number): RateLimiter {
  const redis = new Redis(url, {
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
  });
  redis.defineCommand('purseTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
  const ratePerMs = limitPerMinute / RATE_WINDOW_MS;
  return {
    async consume(key) {
      const run = (redis as unknown as { purseTakeToken(k: string, l: number, n: number, t: number): Promise<[number, number]> })
        .purseTakeToken;
      const [allowed, milliTokens] = await run.call(redis, REDIS_KEY_PREFIX + key, limitPerMinute, nowMs(), 2 * RATE_WINDOW_MS);
      return decide(allowed === 1, limitPerMinute, milliTokens / 1000, ratePerMs);
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** Connects once, PINGs and disconnects: rejects within the connect timeout when Redis is unreachable. */
export async function pingRedis(url: string, timeoutMs = REDIS_CONNECT_TIMEOUT_MS): Promise<void> {
  const redis = new Redis(url, { connectTimeout: timeoutMs, commandTimeout: timeoutMs, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let lastError: unknown;
  redis.on('error', (err) => {
    lastError = err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw lastError ?? err;
  } finally {
    redis.disconnect();
  }
}
