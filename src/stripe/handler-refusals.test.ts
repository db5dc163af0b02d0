import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../sandbox/types.ts';
import { asKey } from '../testing/api.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { type Rig, createTopup, deliver, orderOf, sessionIdOf, startRig, walletOf, plusMajor } from '../testing/stripe-rig.ts';

/**
 * Every refusal branch of the webhook handlers, driven only through signed HTTP deliveries (so these
 * tests hold whatever shape the handlers take): a session that is not the order's, an amount, currency
 * or purpose that disagrees, an unknown order, an unexpected payment status, and the moves that must
 * still happen (failed → paid). Each refused event is acknowledged (200) and processed without effect.
 */
const VISA = '4242424242424242';
let rig: Rig;
let eventCounter = 0;

beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});
afterAll(async () => {
  await rig?.close();
});

type Session = Record<string, unknown> & { id: string; metadata: Record<string, string> };

/** A paid top-up whose events nobody has received; returns its real completed event. */
async function paidTopup(amount: number) {
  const checkout = await createTopup(rig, amount);
  const sessionId = sessionIdOf(checkout.url);
  rig.sandbox.paySession(sessionId, { card: VISA });
  const completed = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId);
  if (!completed) throw new Error('no completed event');
  return { checkout, completed };
}

/** The event with its session changed, under a fresh event id and optionally another type. */
function altered(event: StripeEvent, change: (s: Session) => Session, type = event.type): StripeEvent {
  eventCounter += 1;
  const session = change({ ...(event.data.object as Session), metadata: { ...(event.data.object as Session).metadata } });
  return { ...event, id: `${event.id}_alt${eventCounter}`, type, data: { object: session } } as StripeEvent;
}

async function deliverProcessed(event: StripeEvent): Promise<void> {
  const res = await deliver(rig, JSON.stringify(event));
  expect(res).toEqual({ status: 200, body: { received: true, duplicate: false } });
  const stored = await rig.purse.ctx.store.db.selectFrom('stripe_events').select(['processed_at_ms', 'last_error']).where('id', '=', event.id).executeTakeFirstOrThrow();
  expect(stored, 'processed without an error').toMatchObject({ last_error: null });
  expect(stored.processed_at_ms).not.toBeNull();
}

describe('a paid checkout.session.completed that does not match its order is not credited', () => {
  it.each<[string, (s: Session) => Session]>([
    ['another session id than the one stored on the order', (s) => ({ ...s, id: `${s.id}_forged` })],
    ['another amount', (s) => ({ ...s, amount_subtotal: (s.amount_subtotal as number) + 1, amount_total: (s.amount_total as number) + 1 })],
    ['no amount at all', (s) => ({ ...s, amount_subtotal: null })],
    ['another currency', (s) => ({ ...s, currency: 'usd' })],
    ['an unknown order id', (s) => ({ ...s, metadata: { ...s.metadata, orderId: 'cto_unknown' }, client_reference_id: 'cto_unknown' })],
    ['no order id at all', (s) => ({ ...s, metadata: {}, client_reference_id: null })],
    ['setup mode for a top-up order (purpose mismatch)', (s) => ({ ...s, mode: 'setup' })],
    ['an unexpected payment status', (s) => ({ ...s, payment_status: 'no_payment_required' })],
  ])('%s', async (_name, change) => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidTopup(30);
    await deliverProcessed(altered(completed, change));
    expect((await walletOf(rig)).balance).toBe(before.balance);
    expect((await orderOf(rig, checkout.orderId)).state).toBe('open');
    // The genuine event still credits afterwards: the refusal changed nothing.
    await deliverProcessed(completed);
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 30));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
  });

  it('refuses a completed payment session for an add_card order (purpose mismatch)', async () => {
    const before = await walletOf(rig);
    const card = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    expect(card.status).toBe(200);
    const { completed } = await paidTopup(15);
    await deliverProcessed(altered(completed, (s) => ({ ...s, id: sessionIdOf(card.body.url), metadata: { ...s.metadata, orderId: card.body.orderId }, client_reference_id: card.body.orderId })));
    expect((await walletOf(rig)).balance).toBe(before.balance);
    expect((await orderOf(rig, card.body.orderId)).state).toBe('open');
  });
});

describe('checkout.session.async_payment_succeeded refusals', () => {
  it.each<[string, (s: Session) => Session]>([
    ['another amount', (s) => ({ ...s, amount_subtotal: 1 })],
    ['another currency', (s) => ({ ...s, currency: 'eur' })],
    ['an unknown order', (s) => ({ ...s, metadata: { ...s.metadata, orderId: 'cto_nobody' }, client_reference_id: 'cto_nobody' })],
    ['another session id', (s) => ({ ...s, id: 'cs_test_someone_else' })],
  ])('does not credit a session with %s', async (_name, change) => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidTopup(12);
    await deliverProcessed(altered(completed, change, 'checkout.session.async_payment_succeeded'));
    expect((await walletOf(rig)).balance).toBe(before.balance);
    expect((await orderOf(rig, checkout.orderId)).state).toBe('open');
  });
});

describe('moves that must still happen', () => {
  it('an order failed by async_payment_failed becomes paid when the payment is then proven (failed → paid), credited once', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidTopup(22);
    await deliverProcessed(altered(completed, (s) => ({ ...s, payment_status: 'unpaid' }), 'checkout.session.async_payment_failed'));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('failed');
    expect((await walletOf(rig)).balance).toBe(before.balance);
    await deliverProcessed(completed);
    await deliverProcessed(altered(completed, (s) => s, 'checkout.session.async_payment_succeeded'));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 22));
  });

  it('a paid order stays paid when failure or expiry events arrive afterwards', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidTopup(18);
    await deliverProcessed(completed);
    await deliverProcessed(altered(completed, (s) => ({ ...s, status: 'expired', payment_status: 'unpaid' }), 'checkout.session.expired'));
    await deliverProcessed(altered(completed, (s) => s, 'checkout.session.async_payment_failed'));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 18));
  });

  it('an unpaid completed session moves the order to processing, not paid', async () => {
    const { checkout, completed } = await paidTopup(9);
    await deliverProcessed(altered(completed, (s) => ({ ...s, payment_status: 'unpaid' })));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('processing');
  });
});

describe('payment_intent.payment_failed', () => {
  function failedIntent(metadata: Record<string, string>): StripeEvent {
    eventCounter += 1;
    const intent = { id: `pi_test_forged_${eventCounter}`, object: 'payment_intent', metadata, last_payment_error: { code: 'card_declined', message: 'Your card was declined.' } };
    return { id: `evt_forged_pi_${eventCounter}`, object: 'event', type: 'payment_intent.payment_failed', created: Math.floor(rig.sandbox.clock.nowMs() / 1000), data: { object: intent } } as unknown as StripeEvent;
  }

  it.each([
    ['an intent that is not ours (no order id)', {}],
    ['an unknown order', { orderId: 'cto_missing' }],
  ])('ignores %s', async (_name, metadata) => {
    await deliverProcessed(failedIntent(metadata));
  });

  it('records the attempt on an open order (the customer may try another card) and fails a processing one', async () => {
    const open = await createTopup(rig, 11);
    await deliverProcessed(failedIntent({ orderId: open.orderId }));
    expect((await orderOf(rig, open.orderId)).state).toBe('open');

    const { checkout, completed } = await paidTopup(13);
    await deliverProcessed(altered(completed, (s) => ({ ...s, payment_status: 'unpaid' })));
    await deliverProcessed(failedIntent({ orderId: checkout.orderId }));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('failed');
  });

  it('leaves a paid order paid', async () => {
    const before = await walletOf(rig);
    const { checkout, completed } = await paidTopup(14);
    await deliverProcessed(completed);
    await deliverProcessed(failedIntent({ orderId: checkout.orderId }));
    expect((await orderOf(rig, checkout.orderId)).state).toBe('paid');
    expect((await walletOf(rig)).balance).toBe(plusMajor(before.balance, 14));
  });
});

it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(rig.purse);
});
