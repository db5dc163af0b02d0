import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerSound } from '../testing/ledger.ts';
import { asKey, setupTenant } from '../testing/api.ts';
import { createTopup, deliver, orderOf, type Rig, sessionIdOf, startRig, walletOf, plusMajor } from '../testing/stripe-rig.ts';

const VISA = '4242424242424242';
const DECLINED = '4000000000000002';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

async function transactionsCount(): Promise<number> {
  return (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/transactions')).body.data.length;
}

describe('top-up through the sandbox: card payments', () => {
  it('credits the wallet once when the customer pays with 4242', async () => {
    const before = await walletOf(rig);
    const checkout = await createTopup(rig, 50);
    expect((await orderOf(rig, checkout.orderId)).state).toBe('open');
    rig.sandbox.paySession(sessionIdOf(checkout.url), { card: VISA });
    await rig.sandbox.webhooks.idle();
    const order = await orderOf(rig, checkout.orderId);
    expect(order.state).toBe('paid');
    expect(order.ledgerTransactionId).toMatch(/^txn_/);
    expect(order.stripe.paymentIntentId).toMatch(/^pi_/);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 50));
  });

  it('credits only the pre-tax order amount even with automatic tax and adaptive pricing', async () => {
    const before = await walletOf(rig);
    const checkout = await createTopup(rig, '10.5');
    const session = rig.sandbox.paySession(sessionIdOf(checkout.url), {
      card: VISA, presentmentCurrency: 'eur', billingAddress: { country: 'DE', line1: 'x', city: 'Berlin', postal_code: '10115' },
    });
    expect(session.total_details?.amount_tax ?? 0).toBeGreaterThan(0);
    await rig.sandbox.webhooks.idle();
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 10.5));
  });

  it('keeps the session open after a decline and credits once when a good card follows', async () => {
    const before = await walletOf(rig);
    const checkout = await createTopup(rig, 20);
    const sessionId = sessionIdOf(checkout.url);
    expect(() => rig.sandbox.paySession(sessionId, { card: DECLINED })).toThrow();
    await rig.sandbox.webhooks.idle();
    expect((await orderOf(rig, checkout.orderId)).state).toBe('open');
    expect((await walletOf(rig)).balance).toBe(before.balance);
    rig.sandbox.paySession(sessionId, { card: VISA });
    await rig.sandbox.webhooks.idle();
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 20));
  });
});

describe('top-up through the sandbox: delayed and expired sessions', () => {
  it('moves a delayed payment to processing, then credits it when it settles', async () => {
    const before = await walletOf(rig);
    const checkout = await createTopup(rig, 30);
    const session = rig.sandbox.paySession(sessionIdOf(checkout.url), { method: 'delayed' });
    await rig.sandbox.webhooks.idle();
    expect((await orderOf(rig, checkout.orderId)).state).toBe('processing');
    expect((await walletOf(rig)).balance).toBe(before.balance);
    rig.sandbox.settlePayment(String(session.payment_intent), 'succeeded');
    await rig.sandbox.webhooks.idle();
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 30));
  });

  it('fails a delayed payment that does not settle, crediting nothing', async () => {
    const before = await walletOf(rig);
    const checkout = await createTopup(rig, 30);
    const session = rig.sandbox.paySession(sessionIdOf(checkout.url), { method: 'delayed' });
    rig.sandbox.settlePayment(String(session.payment_intent), 'failed');
    await rig.sandbox.webhooks.idle();
    const order = await orderOf(rig, checkout.orderId);
    expect(order.state).toBe('failed');
    // Whichever of async_payment_failed / payment_intent.payment_failed lands first names the failure.
    expect(order.failure.code).toEqual(expect.any(String));
    expect((await walletOf(rig)).balance).toBe(before.balance);
  });

  it('expires an unpaid session and never credits it', async () => {
    const before = await walletOf(rig);
    const checkout = await createTopup(rig, 40);
    rig.sandbox.expireSession(sessionIdOf(checkout.url));
    await rig.sandbox.webhooks.idle();
    expect((await orderOf(rig, checkout.orderId)).state).toBe('expired');
    expect((await walletOf(rig)).balance).toBe(before.balance);
  });
});

describe('top-up through the sandbox: replayed events', () => {
  it('replays of the completed event (sandbox resends) never credit twice', async () => {
    const checkout = await createTopup(rig, 15);
    rig.sandbox.paySession(sessionIdOf(checkout.url), { card: VISA });
    await rig.sandbox.webhooks.idle();
    const afterPay = await walletOf(rig);
    const txCount = await transactionsCount();
    const completed = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionIdOf(checkout.url));
    for (let i = 0; i < 3; i++) rig.sandbox.resendEvent(completed!.id);
    await rig.sandbox.webhooks.idle();
    expect(await walletOf(rig)).toEqual(afterPay);
    expect(await transactionsCount()).toBe(txCount);
  });
});

describe('add_card', () => {
  it('saves the card from a setup-mode checkout and makes it the default', async () => {
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('amount');
    rig.sandbox.paySession(sessionIdOf(res.body.url), { card: VISA, expMonth: 12, expYear: 2031 });
    await rig.sandbox.webhooks.idle();
    expect((await orderOf(rig, res.body.orderId)).state).toBe('completed');
    const cards = await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/payment-methods');
    expect(cards.body.data).toEqual([expect.objectContaining({ brand: 'visa', last4: '4242', expMonth: 12, expYear: 2031, isDefault: true })]);
    const stranger = await setupTenant(rig.purse);
    expect((await asKey(rig.purse, stranger.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data).toEqual([]);
    expect((await asKey(rig.purse, rig.tenant.numberKey, 'GET', '/v1/billing/payment-methods')).body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
  });

  it('keeps the first card as default when a second one is saved', async () => {
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    rig.sandbox.paySession(sessionIdOf(res.body.url), { card: '5555555555554444' });
    await rig.sandbox.webhooks.idle();
    const cards = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data;
    expect(cards.map((c: { last4: string; isDefault: boolean }) => [c.last4, c.isDefault])).toEqual([['4242', true], ['4444', false]]);
  });
});

describe('tenant isolation of orders', () => {
  it("answers 404 for another tenant's order and for an unknown one", async () => {
    const checkout = await createTopup(rig, 25);
    const other = await setupTenant(rig.purse);
    expect((await asKey(rig.purse, other.tenantKey, 'GET', `/v1/billing/checkout/${checkout.orderId}`)).status).toBe(404);
    expect((await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/checkout/cto_unknown')).status).toBe(404);
  });
});

describe('webhook verification', () => {
  it('rejects a bad signature, a stale timestamp and a tampered body with 400, changing nothing', async () => {
    const checkout = await createTopup(rig, 12);
    rig.sandbox.paySession(sessionIdOf(checkout.url), { card: VISA });
    const event = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionIdOf(checkout.url))!;
    await rig.sandbox.webhooks.idle();
    const payload = JSON.stringify({ ...event, id: `${event.id}_copy` });
    const nowSeconds = Math.floor(rig.sandbox.clock.nowMs() / 1000);
    const cases = [
      await deliver(rig, payload, nowSeconds, 'whsec_not_the_secret'),
      await deliver(rig, payload, nowSeconds - 301),
    ];
    const tampered = await fetch(`${rig.baseUrl}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: (await import('../testing/stripe-rig.ts')).signedDelivery(payload, nowSeconds),
      body: payload.replace('"paid"', '"PAID"'),
    });
    for (const res of cases) expect(res).toEqual({ status: 400, body: { error: 'Invalid webhook signature', code: 'SIGNATURE_INVALID' } });
    expect(tampered.status).toBe(400);
    const stored = await rig.purse.ctx.store.db.selectFrom('stripe_events').select('id').where('id', '=', `${event.id}_copy`).executeTakeFirst();
    expect(stored).toBeUndefined();
  });

  it('acknowledges an unknown event type and does nothing with it', async () => {
    const before = await walletOf(rig);
    const payload = JSON.stringify({ id: 'evt_unknown_type_1', object: 'event', type: 'customer.tax_id.created', created: 1, data: { object: { id: 'txi_1' } } });
    const res = await deliver(rig, payload);
    expect(res).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await walletOf(rig)).toEqual(before);
    const row = await rig.purse.ctx.store.db.selectFrom('stripe_events').select('outcome').where('id', '=', 'evt_unknown_type_1').executeTakeFirstOrThrow();
    expect(row.outcome).toBe('ignored');
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(rig.purse);
});
