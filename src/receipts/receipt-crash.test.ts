import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CrashBench, injectExpecting, setupBenchTenant, startCrashBench } from '../testing/crash.ts';
import type { StripeEvent } from '../sandbox/types.ts';
import { sessionIdOf } from '../testing/stripe-rig.ts';

/**
 * `purse serve` SIGKILLed after a receipt's number was taken and its row written, before the crediting
 * transaction committed (crash point receipt:after-issue): after the restart there is neither the credit nor
 * the receipt, the number was not used up, and Stripe's redelivery credits once with the next number.
 */
const CRASH_TEST_TIMEOUT_MS = 600_000;
const VISA = '4242424242424242';

let bench: CrashBench;
beforeEach(async () => {
  bench = await startCrashBench();
});
afterEach(async () => {
  await bench?.close();
});

async function paidTopup(tenantKey: string, amountMajor: number): Promise<{ orderId: string; completed: StripeEvent }> {
  const checkout = await bench.withPurse((purse) => injectExpecting(purse, 200, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: amountMajor }, { 'x-api-key': tenantKey }));
  const sessionId = sessionIdOf(checkout.url);
  bench.sandbox.paySession(sessionId, { card: VISA });
  const completed = bench.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId);
  if (!completed) throw new Error(`no completed event for ${sessionId}`);
  return { orderId: checkout.orderId, completed };
}

describe('SIGKILL between a receipt\'s number and the commit of its credit', () => {
  it('leaves no credit, no receipt and no gap; the redelivery credits once with the next number', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const tenant = await setupBenchTenant(bench);
    const first = await paidTopup(tenant.tenantKey, 30);
    const second = await paidTopup(tenant.tenantKey, 40);

    await bench.serve();
    expect((await bench.deliver(first.completed)).status).toBe(200);
    await bench.serve({ crashAt: 'receipt:after-issue' });
    await expect(bench.deliver(second.completed)).rejects.toThrow();
    await bench.crashed();

    await bench.serve();
    const ctx = await bench.openCtx();
    const receipts = () => ctx.store.db.selectFrom('receipts').select(['serial', 'order_id', 'transaction_id']).orderBy('serial').execute();
    expect(await ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', '=', `topup:${second.orderId}`).execute()).toEqual([]);
    expect((await receipts()).map((r) => [Number(r.serial), r.order_id])).toEqual([[1, first.orderId]]);
    expect((await ctx.store.db.selectFrom('receipt_counters').select('last_number').executeTakeFirstOrThrow()).last_number).toBe(1n);

    expect((await bench.deliver(second.completed)).body).toEqual({ received: true, duplicate: false });
    expect((await bench.deliver(second.completed)).body).toEqual({ received: true, duplicate: true });
    const after = await receipts();
    expect(after.map((r) => [Number(r.serial), r.order_id])).toEqual([[1, first.orderId], [2, second.orderId]]);
    const credit = await ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', '=', `topup:${second.orderId}`).executeTakeFirstOrThrow();
    expect(after[1]!.transaction_id).toBe(credit.id);
    const verified = await bench.verifyLedger();
    expect(verified.code, verified.stdout).toBe(0);
  });
});
