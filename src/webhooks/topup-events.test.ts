import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../sandbox/types.ts';
import { asKey } from '../testing/api.ts';
import { createTopup, deliver, type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { type Receiver, startReceiver } from '../testing/webhook-receiver.ts';
import { runWebhookWorker } from './delivery-worker.ts';

let rig: Rig;
let receiver: Receiver;
let secret: string;

beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
  receiver = await startReceiver();
  const endpoint = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/webhook-endpoints', { url: receiver.url });
  secret = endpoint.body.secret;
});

afterAll(async () => {
  await receiver?.close();
  await rig?.close();
});

function eventFor(type: string, sessionId: string): StripeEvent {
  const event = rig.sandbox.events().find((e) => e.type === type && (e.data.object as { id: string }).id === sessionId);
  if (!event) throw new Error(`no ${type} event for ${sessionId}`);
  return event;
}

describe('checkout events', () => {
  it('topup.succeeded (once, however often Stripe repeats itself), topup.expired and payment_method.saved reach the receiver signed', async () => {
    const paid = await createTopup(rig, 50);
    const paidSession = sessionIdOf(paid.url);
    rig.sandbox.paySession(paidSession, { card: '4242424242424242' });
    const completed = JSON.stringify(eventFor('checkout.session.completed', paidSession));
    await Promise.all([deliver(rig, completed), deliver(rig, completed)]);

    const lapsed = await createTopup(rig, 20);
    const lapsedSession = sessionIdOf(lapsed.url);
    rig.sandbox.expireSession(lapsedSession);
    await deliver(rig, JSON.stringify(eventFor('checkout.session.expired', lapsedSession)));

    const card = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    expect(card.status).toBe(200);
    const cardSession = sessionIdOf(card.body.url);
    rig.sandbox.paySession(cardSession, { card: '4242424242424242' });
    await deliver(rig, JSON.stringify(eventFor('checkout.session.completed', cardSession)));

    await runWebhookWorker(rig.purse.ctx);
    // receipt.issued (issue 22) commits with the credit; this test is about the checkout events around it.
    const all = receiver.verified(secret);
    expect(all.filter((e) => e.type === 'receipt.issued')).toHaveLength(1);
    const events = all.filter((e) => e.type !== 'receipt.issued');
    expect(events.map((e) => e.type)).toEqual(['topup.succeeded', 'topup.expired', 'payment_method.saved']);
    expect(events[0]).toMatchObject({ tenantId: rig.tenant.tenantId, data: { orderId: paid.orderId, amount: 50, currency: 'BRL', transactionId: expect.stringMatching(/^txn_/) } });
    expect(events[1]?.data).toEqual({ orderId: lapsed.orderId, amount: 20, currency: 'BRL' });
    expect(events[2]?.data).toMatchObject({ brand: 'visa', last4: '4242', isDefault: true });
  }, 60_000);
});
