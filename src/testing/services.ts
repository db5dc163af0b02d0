import { Redis } from 'ioredis';

/**
 * External services a test needs. Under CI (PURSE_REQUIRE_SERVICES=1) a missing service fails the run;
 * on a laptop without it, the tests that need it are skipped with a warning saying why.
 */
export const TEST_REDIS_URL = process.env.PURSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROBE_TIMEOUT_MS = 1_000;

export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    if (process.env.PURSE_REQUIRE_SERVICES === '1') throw new Error(`Redis is required (PURSE_REQUIRE_SERVICES=1) but ${TEST_REDIS_URL} does not answer`);
    console.warn(`Redis at ${TEST_REDIS_URL} does not answer: the Redis tests are skipped (set PURSE_REQUIRE_SERVICES=1 to make this a failure)`);
    return false;
  } finally {
    redis.disconnect();
  }
}
