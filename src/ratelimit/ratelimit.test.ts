import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { TEST_REDIS_URL, redisAvailable } from '../testing/services.ts';
import { takeToken } from './limiter.ts';

const WALLET = '/v1/billing/wallet';
const LIMIT = 3;

describe('token bucket arithmetic', () => {
  it('refills continuously at limit per minute and never above capacity', () => {
    let state = takeToken(undefined, 60, 0);
    expect(state.decision).toMatchObject({ allowed: true, remaining: 59 });
    for (let i = 0; i < 59; i++) state = takeToken(state.bucket, 60, 0);
    const empty = takeToken(state.bucket, 60, 0);
    expect(empty.decision).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(takeToken(empty.bucket, 60, 1_000).decision.allowed).toBe(true);
    expect(takeToken(empty.bucket, 60, 10 * 60_000).decision.remaining).toBe(59);
  });
});

describe('in memory', () => {
  let purse: TestPurse;
  let nowMs = 1_000_000;
  beforeAll(async () => {
    purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: String(LIMIT) }, { nowMs: () => nowMs });
  });
  afterAll(() => purse.close());

  it('answers 429 RATE_LIMITED with Retry-After once a key exceeds its budget, without touching other keys', async () => {
    const a = await setupTenant(purse);
    const b = await setupTenant(purse);
    for (let i = 0; i < LIMIT; i++) {
      const ok = await asKey(purse, a.tenantKey, 'GET', WALLET);
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-remaining']).toBe(String(LIMIT - 1 - i));
    }
    const limited = await asKey(purse, a.tenantKey, 'GET', WALLET);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'Too many requests', code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['ratelimit-limit']).toBe(String(LIMIT));
    expect((await asKey(purse, b.tenantKey, 'GET', WALLET)).status).toBe(200);
  });

  it('lets the key through again after Retry-After has passed', async () => {
    const a = await setupTenant(purse);
    for (let i = 0; i < LIMIT; i++) await asKey(purse, a.tenantKey, 'GET', WALLET);
    const limited = await asKey(purse, a.tenantKey, 'GET', WALLET);
    expect(limited.status).toBe(429);
    nowMs += Number(limited.headers['retry-after']) * 1000;
    expect((await asKey(purse, a.tenantKey, 'GET', WALLET)).status).toBe(200);
  });
});

const redisUp = await redisAvailable();

describe.skipIf(!redisUp)('shared through Redis', () => {
  let one: TestPurse;
  let two: TestPurse;
  beforeAll(async () => {
    one = await startTestPurse({ RATE_LIMIT_PER_MINUTE: String(LIMIT), REDIS_URL: TEST_REDIS_URL });
    // The second instance shares the first one's database and Redis, as two replicas would.
    two = await startTestPurse({ RATE_LIMIT_PER_MINUTE: String(LIMIT), REDIS_URL: TEST_REDIS_URL }, { shareDatabaseOf: one });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
  });

  it('gives two instances one budget per key', async () => {
    const a = await setupTenant(one);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const instance = i % 2 === 0 ? one : two;
      statuses.push((await asKey(instance, a.tenantKey, 'GET', WALLET)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
