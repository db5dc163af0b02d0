import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, createSystemClock } from './index.ts';
import { control, startTestSandbox, stripeClient, testStartMs, topupSessionParams } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;
beforeEach(async () => {
  t = await startTestSandbox();
});
afterEach(async () => {
  await t.sandbox.close();
});

describe('fault injection', () => {
  it('fails the next N Stripe API calls with the given status as StripeAPIError, then recovers', async () => {
    const armed = await control(t.sandbox, '/faults', { failNext: 2, status: 500 });
    expect(armed.body).toEqual({ failNext: 2, status: 500, delayMs: 0, afterProcessing: false });
    const first = await t.stripe.customers.create({}).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(first).toMatchObject({ statusCode: 500, type: 'StripeAPIError', rawType: 'api_error' });
    expect((await control(t.sandbox, '/health', undefined, 'GET')).status).toBe(200);
    await expect(t.stripe.customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((await t.stripe.customers.create({})).id).toMatch(/^cus_/);
  });

  it('does not store a failed call under its idempotency key, so the retry really runs', async () => {
    await control(t.sandbox, '/faults', { failNext: 1, status: 503 });
    await expect(t.stripe.customers.create({ email: 'a@x.test' }, { idempotencyKey: 'retry-me' })).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    const retried = await t.stripe.customers.create({ email: 'a@x.test' }, { idempotencyKey: 'retry-me' });
    expect(retried.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('hangs the next call past the SDK timeout so it throws StripeConnectionError, and close() does not wait for it', async () => {
    await control(t.sandbox, '/faults', { failNext: 1, delayMs: 60_000 });
    const impatient = stripeClient(t.sandbox, 'sk_test_x', { timeout: 200 });
    const error = await impatient.customers.create({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((error as Error).message).toContain('timeout');
  });

  it('answers a delayed call normally once the delay has passed', async () => {
    t.sandbox.setFaults({ failNext: 1, delayMs: 1 });
    expect((await t.stripe.customers.create({})).id).toMatch(/^cus_/);
  });

  it('rejects a fault with neither status nor delay', async () => {
    expect((await control(t.sandbox, '/faults', { failNext: 1 })).status).toBe(400);
    expect((await control(t.sandbox, '/faults', { failNext: 1, status: 200 })).status).toBe(400);
  });
});

describe('sandbox clock', () => {
  it('stamps objects with the injected clock', async () => {
    const customer = await t.stripe.customers.create({});
    expect(customer.created).toBe(testStartMs / 1000);
  });

  it('expires sessions whose expires_at passes when the clock is advanced over the control API', async () => {
    const customer = await t.stripe.customers.create({});
    const soon = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, { expires_at: testStartMs / 1000 + 1800 }));
    const later = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const moved = await control(t.sandbox, '/clock', { advanceSeconds: 1799 });
    expect(moved.body).toEqual({ nowMs: testStartMs + 1_799_000 });
    expect((await t.stripe.checkout.sessions.retrieve(soon.id)).status).toBe('open');
    await control(t.sandbox, '/clock', { advanceSeconds: 1 });
    expect(t.sandbox.events().map((e) => [e.type, (e.data.object as { id: string }).id])).toEqual([['checkout.session.expired', soon.id]]);
    expect((await t.stripe.checkout.sessions.retrieve(soon.id)).status).toBe('expired');
    expect((await t.stripe.checkout.sessions.retrieve(later.id)).status).toBe('open');
  });

  it('notices expiry on the next request when the caller moves its own clock object', async () => {
    const clock = createManualClock(testStartMs);
    const own = await startTestSandbox({ clock });
    try {
      const customer = await own.stripe.customers.create({});
      const session = await own.stripe.checkout.sessions.create(topupSessionParams(customer.id));
      clock.advance(86_400);
      expect((await own.stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
    } finally {
      await own.sandbox.close();
    }
  });

  it('moves a system clock forward from wall time', () => {
    const clock = createSystemClock();
    const before = clock.nowMs();
    clock.advance(3600);
    expect(clock.nowMs() - before).toBeGreaterThanOrEqual(3_600_000);
  });
});
