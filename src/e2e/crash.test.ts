import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INBOX_CLAIM_MS, retryPendingEvents } from '../stripe/inbox.ts';
import { type CrashBench, injectExpecting, setupBenchTenant, startCrashBench } from '../testing/crash.ts';
import type { StripeEvent } from '../sandbox/types.ts';
import { sessionIdOf } from '../testing/stripe-rig.ts';

/**
 * `purse serve` killed by SIGKILL at chosen points, restarted on the same database: whatever was
 * acknowledged (2xx) survives, whatever the client retries is applied once, and `purse ledger verify`
 * passes. Real processes, a real database (SQLite or PostgreSQL per PURSE_TEST_DATABASE_URL).
 */
// Each test starts `purse serve` two or three times and runs `purse ledger verify` once.
const CRASH_TEST_TIMEOUT_MS = 600_000;
const FUNDING_MAJOR = 100;
const WAVES = 4;
const WAVE_SIZE = 4;
const CENTS = 100;
const VISA = '4242424242424242';

let bench: CrashBench;
beforeEach(async () => {
  bench = await startCrashBench();
});
afterEach(async () => {
  await bench?.close();
});

interface Sent {
  key: string;
  amountCents: number;
  acknowledged: boolean;
  transactionId?: string;
}

async function balanceOf(tenantKey: string): Promise<number> {
  const res = await bench.request('GET', '/v1/billing/wallet', { headers: { 'x-api-key': tenantKey } });
  expect(res.status).toBe(200);
  return Math.round(res.body.balance * CENTS);
}

function debit(tenantKey: string, key: string, amountCents: number) {
  return bench.request('POST', '/v1/billing/usage', { body: { amount: (amountCents / CENTS).toFixed(2) }, headers: { 'x-api-key': tenantKey, 'idempotency-key': key } });
}

async function usageReferences(tenantId: string): Promise<string[]> {
  const ctx = await bench.openCtx();
  const rows = await ctx.store.db.selectFrom('ledger_transactions').select('reference').where('reference', 'like', `usage:${tenantId}:%`).execute();
  return rows.map((r) => r.reference).sort();
}

describe.each(['group-commit:before-commit', 'group-commit:after-commit'])('SIGKILL at %s', (point) => {
  it('keeps every acknowledged debit, applies each retried one exactly once, and the ledger verifies', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench, FUNDING_MAJOR);
    // The 3rd group commit of this process dies; waves of concurrent debits fill the batches before it.
    await bench.serve({ crashAt: `${point}@3` });
    const sent: Sent[] = [];
    for (let wave = 0; wave < WAVES && sent.every((s) => s.acknowledged); wave += 1) {
      const batch = Array.from({ length: WAVE_SIZE }, (_, i) => ({ key: `w${wave}-${i}`, amountCents: 100 + wave * 10 + i, acknowledged: false }) as Sent);
      sent.push(...batch);
      await Promise.all(batch.map(async (s) => {
        const res = await debit(tenant.tenantKey, s.key, s.amountCents).catch(() => undefined);
        if (res?.status === 201) {
          s.acknowledged = true;
          s.transactionId = res.body.transaction.id;
        }
      }));
    }
    await bench.crashed();
    expect(sent.some((s) => !s.acknowledged), 'some requests were cut off by the crash').toBe(true);

    await bench.serve();
    // Nothing acknowledged was lost.
    const survived = await usageReferences(tenant.tenantId);
    for (const s of sent.filter((x) => x.acknowledged)) expect(survived).toContain(`usage:${tenant.tenantId}:${s.key}`);
    // The client retries everything it sent: acknowledged ones replay, the rest apply now or replay.
    for (const s of sent) {
      const res = await debit(tenant.tenantKey, s.key, s.amountCents);
      expect([200, 201]).toContain(res.status);
      if (s.acknowledged) expect([res.status, res.body.transaction.id]).toEqual([200, s.transactionId]);
    }
    const total = sent.reduce((sum, s) => sum + s.amountCents, 0);
    expect(await balanceOf(tenant.tenantKey)).toBe(FUNDING_MAJOR * CENTS - total);
    expect(await usageReferences(tenant.tenantId)).toHaveLength(sent.length);
    const verified = await bench.verifyLedger();
    expect(verified.code, verified.stdout).toBe(0);
  });
});

/** A paid top-up (set up in process) and its checkout.session.completed, not yet delivered to Purse. */
async function paidTopup(tenantKey: string, amountMajor: number): Promise<{ orderId: string; completed: StripeEvent }> {
  const checkout = await bench.withPurse((purse) => injectExpecting(purse, 200, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: amountMajor }, { 'x-api-key': tenantKey }));
  const sessionId = sessionIdOf(checkout.url);
  bench.sandbox.paySession(sessionId, { card: VISA });
  const completed = bench.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId);
  if (!completed) throw new Error(`no completed event for ${sessionId}`);
  return { orderId: checkout.orderId, completed };
}

describe('SIGKILL between the webhook inbox insert and its processing (two-commit path)', () => {
  it('credits the stored event exactly once after restart (by the retry job), never twice on redelivery', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench);
    const paid = await paidTopup(tenant.tenantKey, 60);
    // A delayed payment's settlement is stored in one commit and processed in another (stripe/inbox.ts).
    const delayed = { ...paid.completed, id: `${paid.completed.id}_delayed`, type: 'checkout.session.async_payment_succeeded' };

    await bench.serve({ crashAt: 'webhook:after-inbox-insert' });
    await expect(bench.deliver(delayed)).rejects.toThrow();
    await bench.crashed();

    await bench.serve();
    const ctx = await bench.openCtx();
    const stored = await ctx.store.db.selectFrom('stripe_events').select(['processed_at_ms', 'claimed_until_ms']).where('id', '=', delayed.id).executeTakeFirstOrThrow();
    expect(stored.processed_at_ms).toBeNull();
    expect(await balanceOf(tenant.tenantKey)).toBe(0);
    // Stripe redelivers (it got no 2xx): a duplicate, acknowledged without effect, so nothing is applied twice.
    expect(await bench.deliver(delayed)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await balanceOf(tenant.tenantKey)).toBe(0);
    // The dead instance's claim runs out; the retry job (run here on a clock past it) processes the event once.
    const later = await bench.openCtx(() => Date.now() + INBOX_CLAIM_MS + 1);
    expect(await retryPendingEvents(later)).toBe(1);
    expect(await retryPendingEvents(later)).toBe(0);
    expect(await balanceOf(tenant.tenantKey)).toBe(60 * CENTS);
    const order = await bench.request('GET', `/v1/billing/checkout/${paid.orderId}`, { headers: { 'x-api-key': tenant.tenantKey } });
    expect(order.body.state).toBe('paid');
    const verified = await bench.verifyLedger();
    expect(verified.code, verified.stdout).toBe(0);
  });
});

describe('SIGKILL inside the webhook inbox\'s one-commit path', () => {
  it('leaves neither a credit nor an inbox row, and the redelivery credits exactly once', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench);
    const { orderId, completed } = await paidTopup(tenant.tenantKey, 70);

    await bench.serve({ crashAt: 'webhook:before-one-commit' });
    await expect(bench.deliver(completed)).rejects.toThrow();
    await bench.crashed();

    await bench.serve();
    const ctx = await bench.openCtx();
    expect(await ctx.store.db.selectFrom('stripe_events').select('id').where('id', '=', completed.id).execute()).toEqual([]);
    expect(await ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', '=', `topup:${orderId}`).execute()).toEqual([]);
    expect(await balanceOf(tenant.tenantKey)).toBe(0);
    // Stripe got no 2xx and delivers again: now fresh, credited once; a further copy is a duplicate.
    expect(await bench.deliver(completed)).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await bench.deliver(completed)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await balanceOf(tenant.tenantKey)).toBe(70 * CENTS);
    const stored = await ctx.store.db.selectFrom('stripe_events').select(['outcome', 'attempts']).where('id', '=', completed.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ outcome: 'credited', attempts: 1n });
    const verified = await bench.verifyLedger();
    expect(verified.code, verified.stdout).toBe(0);
  });
});

describe('SIGKILL mid-checkout while Stripe hangs', () => {
  it('charges nothing, keeps the order open, and a new checkout works after restart', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench);
    const headers = { 'x-api-key': tenant.tenantKey };
    // A first checkout creates the Stripe customer, so the hang below is the session creation itself.
    await bench.withPurse((purse) => injectExpecting(purse, 200, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 20 }, headers));
    await bench.serve();
    bench.sandbox.setFaults({ failNext: 1, delayMs: 2_000 });
    const hanging = bench.sandbox.faultTaken();
    const cutOff = bench.request('POST', '/v1/billing/checkout', { body: { purpose: 'wallet_topup', amount: 30 }, headers: { ...headers, 'idempotency-key': 'hung-checkout' } })
      .then((res) => `answered ${res.status}`, () => 'cut off');
    await hanging;
    await bench.kill();
    expect(await cutOff).toBe('cut off');

    await bench.serve();
    const ctx = await bench.openCtx();
    const orders = await ctx.store.db.selectFrom('checkout_orders').select(['state', 'stripe_session_id', 'amount_minor']).where('tenant_id', '=', tenant.tenantId).orderBy('created_at_ms').execute();
    expect(orders).toHaveLength(2);
    expect(orders[1]).toEqual({ state: 'open', stripe_session_id: null, amount_minor: 3000n });
    // The crashed request's Idempotency-Key claim is held until its lease ends (IDEMPOTENCY_LEASE_MS, 60 s):
    // a retry with the same key within it is refused rather than run twice; a new key works.
    const retried = await bench.request('POST', '/v1/billing/checkout', { body: { purpose: 'wallet_topup', amount: 30 }, headers: { ...headers, 'idempotency-key': 'hung-checkout' } });
    expect([retried.status, retried.body.code]).toEqual([409, 'IDEMPOTENCY_IN_PROGRESS']);
    expect((await bench.request('POST', '/v1/billing/checkout', { body: { purpose: 'wallet_topup', amount: 30 }, headers: { ...headers, 'idempotency-key': 'after-crash' } })).status).toBe(200);
    expect(await balanceOf(tenant.tenantKey)).toBe(0);
    const verified = await bench.verifyLedger();
    expect(verified.code, verified.stdout).toBe(0);
  });
});
