import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey } from '../testing/api.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { createTopup, deliver, orderOf, type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});

afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

function latest(type: string, match: (o: Record<string, unknown>) => boolean) {
  const event = rig.sandbox.events().find((e) => e.type === type && match(e.data.object as Record<string, unknown>));
  if (!event) throw new Error(`no ${type}`);
  return event;
}

describe('a refund claws back from the refunded top-up\'s own block first', () => {
  it('a partly consumed top-up block is emptied first, the rest comes from the next block in draw-down order', async () => {
    const { tenantId, tenantKey } = rig.tenant;
    const topup = await createTopup(rig, 10);
    const session = rig.sandbox.paySession(sessionIdOf(topup.url), { card: '4242424242424242' });
    await deliver(rig, JSON.stringify(latest('checkout.session.completed', (o) => o.id === sessionIdOf(topup.url))));
    expect((await orderOf(rig, topup.orderId)).state).toBe('paid');
    const db = rig.purse.ctx.store.db;
    const block = await db.selectFrom('credit_blocks as b').innerJoin('ledger_transactions as t', 't.id', 'b.source_transaction_id')
      .select(['b.id', 'b.category']).where('t.reference', '=', `topup:${topup.orderId}`).executeTakeFirstOrThrow();
    expect(block.category).toBe('purchased');
    const listed = await asKey(rig.purse, tenantKey, 'GET', '/v1/billing/credits');
    expect(listed.body.data.find((b: { id: string }) => b.id === block.id)).toMatchObject({ category: 'purchased', amount: 10, costBasis: 10, source: { orderId: topup.orderId } });
    // A later promotional grant with a low priority would be drawn first by plain draw-down order.
    const promo = await admin(rig.purse, 'POST', `/v1/admin/tenants/${tenantId}/credits`, { amount: '5', reason: 'promo', priority: 0 });
    expect(promo.status).toBe(201);
    // Spend 7: promo (5) first, then 2 of the top-up block.
    expect((await asKey(rig.purse, tenantKey, 'POST', '/v1/billing/usage', { amount: '7' }, { 'idempotency-key': 'spend-7' })).status).toBe(201);
    const intent = latest('payment_intent.succeeded', (o) => o.id === session.payment_intent).data.object as { latest_charge: string };
    rig.sandbox.refundCharge(intent.latest_charge);
    await deliver(rig, JSON.stringify(latest('charge.refunded', (o) => o.id === intent.latest_charge)));
    const clawback = await db.selectFrom('refund_clawbacks').select('transaction_id').where('charge_id', '=', intent.latest_charge).executeTakeFirstOrThrow();
    const draws = await db.selectFrom('credit_block_postings').select(['block_id', 'amount_minor']).where('transaction_id', '=', clawback.transaction_id).execute();
    const byBlock = Object.fromEntries(draws.map((d) => [d.block_id === block.id ? 'topup' : d.block_id.startsWith('cb_deficit_') ? 'deficit' : 'other', Number(d.amount_minor)]));
    expect(byBlock.topup).toBe(-800);
    expect(Object.values(byBlock).reduce((a, b) => a + b, 0)).toBe(-1000);
  });
});
