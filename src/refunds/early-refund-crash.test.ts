import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryPendingEvents } from '../stripe/inbox.ts';
import { WAITING_RECHECK_MS } from '../stripe/waiting-events.ts';
import { type CrashBench, injectExpecting, setupBenchTenant, startCrashBench } from '../testing/crash.ts';
import { sessionIdOf } from '../testing/stripe-rig.ts';

/**
 * Issue 19, with a real process killed: a refund that overtakes its top-up's credit is parked, and `purse
 * serve` is SIGKILLed right after parking it (crash point `webhook:after-park`). After the restart the
 * completion arrives: the credit's transaction wakes the parked refund, and the retry job claws it back
 * exactly once — never dead-lettered, never twice.
 */
const CRASH_TEST_TIMEOUT_MS = 600_000;
const CENTS = 100;

let bench: CrashBench;
beforeAll(async () => {
  bench = await startCrashBench();
});
afterAll(async () => {
  await bench?.close();
});

async function balanceOf(tenantKey: string): Promise<number> {
  const res = await bench.request('GET', '/v1/billing/wallet', { headers: { 'x-api-key': tenantKey } });
  expect(res.status).toBe(200);
  return Math.round(res.body.balance * CENTS);
}

describe('SIGKILL after a refund that overtook its credit was parked', () => {
  it('claws back exactly once after the restart, when the completion lands', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench);
    const checkout = await bench.withPurse((purse) => injectExpecting(purse, 200, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 40 }, { 'x-api-key': tenant.tenantKey }));
    const sessionId = sessionIdOf(checkout.url);
    const session = bench.sandbox.paySession(sessionId, { card: '4242424242424242' });
    const completed = bench.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId)!;
    const intent = await bench.sandbox.events().find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === session.payment_intent)!;
    const chargeId = (intent.data.object as { latest_charge: string }).latest_charge;
    bench.sandbox.refundCharge(chargeId, 1000);
    const refunded = bench.sandbox.events().find((e) => e.type === 'charge.refunded')!;

    await bench.serve({ crashAt: 'webhook:after-park' });
    await expect(bench.deliver(refunded)).rejects.toThrow();
    await bench.crashed();
    await bench.serve();
    const ctx = await bench.openCtx();
    const parked = await ctx.store.db.selectFrom('stripe_events').select(['outcome', 'waiting_for', 'attempts', 'processed_at_ms']).where('id', '=', refunded.id).executeTakeFirstOrThrow();
    expect(parked).toEqual({ outcome: 'waiting', waiting_for: `topup:${checkout.orderId}`, attempts: 0n, processed_at_ms: null });
    // Stripe redelivers the refund (no 2xx): a duplicate; then the completion arrives and credits.
    expect(await bench.deliver(refunded)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await bench.deliver(completed)).toEqual({ status: 200, body: { received: true, duplicate: false } });
    // Woken by the credit's commit. The retry job — the child's own, or two more instances here on a clock past
    // the re-check time — applies it; whoever does, it is applied once.
    const later = await bench.openCtx(() => Date.now() + WAITING_RECHECK_MS);
    const [a, b] = await Promise.all([retryPendingEvents(later), retryPendingEvents(later)]);
    expect(a + b).toBeLessThanOrEqual(1);
    expect(await retryPendingEvents(later)).toBe(0);
    const applied = await ctx.store.db.selectFrom('stripe_events').select(['outcome', 'waiting_for', 'failed_at_ms']).where('id', '=', refunded.id).executeTakeFirstOrThrow();
    expect(applied).toEqual({ outcome: 'clawed_back', waiting_for: null, failed_at_ms: null });
    const chargeMinor = (intent.data.object as { amount: number }).amount;
    expect(await balanceOf(tenant.tenantKey)).toBe(4000 - Math.floor((4000 * 1000) / chargeMinor));
    const clawbacks = await ctx.store.db.selectFrom('refund_clawbacks').select(['order_id', 'attempt_id']).where('charge_id', '=', chargeId).execute();
    expect(clawbacks).toEqual([{ order_id: checkout.orderId, attempt_id: null }]);
    const verified = await bench.verifyLedger();
    expect(verified.code, verified.stdout).toBe(0);
  });
});
