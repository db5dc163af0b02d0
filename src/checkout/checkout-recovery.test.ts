import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey } from '../testing/api.ts';
import { createTopup, type Rig, startRig } from '../testing/stripe-rig.ts';
import { IDEMPOTENCY_LEASE_MS, hashRequest } from '../idempotency/idempotency.ts';
import { STRIPE_CHECKOUT_EXPIRY_MARGIN_SECONDS, STRIPE_CHECKOUT_EXPIRY_MIN_SECONDS } from './create-checkout.ts';
import { insertOrderRow } from './orders-store.ts';
import type { CheckoutOrderRow } from '../store/schema.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false, env: { CHECKOUT_EXPIRES_MINUTES: '30', TOPUP_LIMITS: 'BRL:0.01-5000' } });
});
afterAll(() => rig.close());

const db = () => rig.purse.ctx.store.db;
const checkout = (amount: number | string, headers: Record<string, string> = {}) =>
  asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount }, headers);

/** Puts a finished request back to where a process killed mid-flight leaves it: claimed, no response stored. */
async function dieMidFlight(key: string, opts: { forgetSession: boolean }) {
  const row = await db().selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  await db().updateTable('idempotency_keys').set({ response_status: null, response_body: null, lease_until_ms: BigInt(rig.sandbox.clock.nowMs() + IDEMPOTENCY_LEASE_MS) })
    .where('key', '=', key).execute();
  if (opts.forgetSession && row.resource_id) {
    await db().updateTable('checkout_orders').set({ stripe_session_id: null, checkout_url: null }).where('id', '=', row.resource_id).execute();
  }
  return row.resource_id;
}

describe('an Idempotency-Key whose request died mid-flight', () => {
  it('answers IDEMPOTENCY_IN_PROGRESS within the lease, then a retry resumes the same order and Stripe session', async () => {
    const headers = { 'idempotency-key': 'died-after-order' };
    const first = await checkout(60, headers);
    expect(first.status).toBe(200);
    const orderId = await dieMidFlight('died-after-order', { forgetSession: true });
    expect(orderId).toBe(first.body.orderId);

    const during = await checkout(60, headers);
    expect(during.status).toBe(409);
    expect(during.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');

    rig.sandbox.advanceClock(IDEMPOTENCY_LEASE_MS / 1000 + 1);
    const retry = await checkout(60, headers);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const orders = await db().selectFrom('checkout_orders').select('id').where('tenant_id', '=', rig.tenant.tenantId).where('amount_minor', '=', 6000n).execute();
    expect(orders).toHaveLength(1);
    expect(await checkout(60, headers)).toMatchObject({ status: 200, body: first.body });
  });

  it('creates the order when the dead attempt had not got that far', async () => {
    await db().insertInto('idempotency_keys').values({
      tenant_id: rig.tenant.tenantId, scope: 'checkout', key: 'died-before-order', request_hash: 'x', response_status: null, response_body: null,
      created_at_ms: BigInt(rig.sandbox.clock.nowMs()), lease_until_ms: BigInt(rig.sandbox.clock.nowMs() + IDEMPOTENCY_LEASE_MS), resource_id: null,
    }).execute();
    // The hash is checked before the lease: another body is still a reuse.
    await db().updateTable('idempotency_keys').set({ request_hash: hashOfBody({ purpose: 'wallet_topup', amount: 61 }) }).where('key', '=', 'died-before-order').execute();
    expect((await checkout(61, { 'idempotency-key': 'died-before-order' })).body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    rig.sandbox.advanceClock(IDEMPOTENCY_LEASE_MS / 1000 + 1);
    const [a, b] = await Promise.all([checkout(61, { 'idempotency-key': 'died-before-order' }), checkout(61, { 'idempotency-key': 'died-before-order' })]);
    const ok = [a, b].filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of [a, b]) if (r.status !== 200) expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    const orders = await db().selectFrom('checkout_orders').select('id').where('tenant_id', '=', rig.tenant.tenantId).where('amount_minor', '=', 6100n).execute();
    expect(orders).toHaveLength(1);
  });
});

function hashOfBody(body: unknown): string {
  // The parser hands a numeric amount to the route as its source text.
  const { amount, ...rest } = body as { amount: number };
  return hashRequest({ ...rest, amount: String(amount) });
}

describe('a Stripe customer that no longer exists', () => {
  it('is replaced by a new one (next generation) and the checkout goes on', async () => {
    const before = await createTopup(rig, 10);
    expect(before.orderId).toMatch(/^cto_/);
    await db().updateTable('tenants').set({ stripe_customer_id: 'cus_gone_after_sandbox_restart' }).where('id', '=', rig.tenant.tenantId).execute();
    const res = await checkout(11);
    expect(res.status).toBe(200);
    const tenant = await db().selectFrom('tenants').select(['stripe_customer_id', 'stripe_customer_generation']).where('id', '=', rig.tenant.tenantId).executeTakeFirstOrThrow();
    expect(tenant.stripe_customer_id).toMatch(/^cus_/);
    expect(tenant.stripe_customer_id).not.toBe('cus_gone_after_sandbox_restart');
    expect(tenant.stripe_customer_generation).toBe(1n);
    const order = await db().selectFrom('checkout_orders').selectAll().where('id', '=', res.body.orderId).executeTakeFirstOrThrow();
    expect(order.stripe_customer_id).toBe(tenant.stripe_customer_id);
    expect((await checkout(12)).status).toBe(200);
  });
});

describe('checkout expiry and Stripe refusals', () => {
  it('keeps a margin above Stripe\'s 30-minute minimum when CHECKOUT_EXPIRES_MINUTES=30', async () => {
    const res = await checkout(20);
    expect(res.status).toBe(200);
    const seconds = (Date.parse(res.body.expiresAt) - rig.sandbox.clock.nowMs()) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(STRIPE_CHECKOUT_EXPIRY_MIN_SECONDS + STRIPE_CHECKOUT_EXPIRY_MARGIN_SECONDS);
  });

  it('answers a Stripe invalid-request error with 502 STRIPE_REQUEST_REJECTED and logs Stripe\'s message and request id', async () => {
    // The operator allowed 0.01 BRL; Stripe's minimum charge is 0.50.
    const res = await checkout('0.10');
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('STRIPE_REQUEST_REJECTED');
    expect(res.body.error).not.toBe('Payment provider unavailable');
    const logs = rig.purse.logs();
    expect(logs).toMatch(/"stripeMessage":"The Checkout Session's total amount due must add up to at least/);
    expect(logs).toMatch(/"stripeRequestId":"req_/);
  });
});

describe('the order insert', () => {
  it('answers with the tenant\'s stored customer exactly as a read of the tenant would (the generation a bigint, as the Stripe key expects)', async () => {
    const nowMs = BigInt(rig.sandbox.clock.nowMs());
    const order: CheckoutOrderRow = {
      id: 'cto_insert_reads_customer', tenant_id: rig.tenant.tenantId, purpose: 'wallet_topup', state: 'open', amount_minor: 1234n, currency: 'BRL',
      success_url: 'https://example.test/ok', cancel_url: 'https://example.test/cancel', checkout_url: null, stripe_customer_id: null,
      stripe_session_id: null, stripe_payment_intent_id: null, stripe_setup_intent_id: null, failure_code: null, failure_message: null,
      ledger_transaction_id: null, expires_at_ms: nowMs + 3_600_000n, created_at_ms: nowMs, updated_at_ms: nowMs, completed_at_ms: null,
    };
    const customer = await insertOrderRow(db(), order);
    const tenant = await db().selectFrom('tenants').select(['name', 'stripe_customer_id', 'stripe_customer_generation']).where('id', '=', rig.tenant.tenantId).executeTakeFirstOrThrow();
    expect(customer).toEqual(tenant);
    expect(typeof customer.stripe_customer_generation).toBe('bigint');
    expect(await db().selectFrom('checkout_orders').selectAll().where('id', '=', order.id).executeTakeFirst()).toEqual(order);
  });
});
