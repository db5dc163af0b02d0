import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fulfilOrder } from '../checkout/fulfil-order.ts';
import { newId } from '../ids/ids.ts';
import { type TestTenant, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { type Rig, createTopup, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

/** Receipts (issue 22): issued in the crediting transaction, numbered gaplessly per operator. */
const CONCURRENT_TOPUPS = 500;
const TOPUP_MINOR = 1_000n;

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ env: { RATE_LIMIT_PER_MINUTE: '1000000', PURSE_RECEIPT_PREFIX: 'ACME' } });
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

/** Open top-up orders written as the checkout route leaves them (no Stripe round trip per order). */
async function openOrders(purse: TestPurse, tenantId: string, count: number): Promise<string[]> {
  const nowMs = BigInt(purse.ctx.nowMs());
  const rows = Array.from({ length: count }, () => ({
    id: newId('cto'), tenant_id: tenantId, purpose: 'wallet_topup', state: 'open', amount_minor: TOPUP_MINOR, currency: 'BRL',
    success_url: 'http://localhost:8080/billing', cancel_url: 'http://localhost:8080/billing', created_at_ms: nowMs, updated_at_ms: nowMs,
  }));
  for (let i = 0; i < rows.length; i += 100) await purse.ctx.store.db.insertInto('checkout_orders').values(rows.slice(i, i + 100)).execute();
  return rows.map((r) => r.id);
}

async function receiptRows(purse: TestPurse) {
  return purse.ctx.store.db.selectFrom('receipts').selectAll().orderBy('serial').execute();
}

/** Every receipt's serial is 1..n with no gap or repeat, and each documents exactly one credit. */
async function expectGapless(purse: TestPurse): Promise<number> {
  const rows = await receiptRows(purse);
  expect(rows.map((r) => Number(r.serial))).toEqual(rows.map((_, i) => i + 1));
  const documented = await purse.ctx.store.db.selectFrom('ledger_transactions').select(['id']).where('kind', 'in', ['topup', 'auto_topup', 'refund_clawback']).execute();
  expect(new Set(rows.map((r) => r.transaction_id))).toEqual(new Set(documented.map((t) => t.id)));
  const counter = await purse.ctx.store.db.selectFrom('receipt_counters').select('last_number').executeTakeFirstOrThrow();
  expect(Number(counter.last_number)).toBe(rows.length);
  return rows.length;
}

describe('a paid top-up through Checkout', () => {
  it('gets a receipt numbered with the prefix, listed and shown to its tenant, and a receipt.issued event', async () => {
    const checkout = await createTopup(rig, '12.34');
    rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
    await rig.sandbox.webhooks.idle();
    const list = await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/receipts');
    expect(list.status).toBe(200);
    const receipt = list.body.data.find((r: { orderId: string }) => r.orderId === checkout.orderId);
    expect(receipt).toMatchObject({ kind: 'receipt', credited: 12.34, currency: 'BRL', attemptId: null, refundId: null });
    expect(receipt.number).toMatch(/^ACME-\d{6}$/);
    expect(receipt.pdfUrl).toMatch(new RegExp(`/v1/billing/receipts/${receipt.id}\\.pdf$`));
    const shown = await asKey(rig.purse, rig.tenant.tenantKey, 'GET', `/v1/billing/receipts/${receipt.id}`);
    expect(shown.body).toEqual(receipt);
    const events = await rig.purse.ctx.store.db.selectFrom('events').selectAll().where('type', '=', 'receipt.issued').execute();
    expect(events.map((e) => JSON.parse(e.data).receiptId)).toContain(receipt.id);
  });

  it('a refund gets a credit note for what left the wallet, with the next number', async () => {
    const checkout = await createTopup(rig, 20);
    const session = rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
    await rig.sandbox.webhooks.idle();
    const intent = await rig.stripe.paymentIntents.retrieve(String(session.payment_intent));
    rig.sandbox.refundCharge(String(intent.latest_charge), 500);
    await rig.sandbox.webhooks.idle();
    const rows = await receiptRows(rig.purse);
    const note = rows.find((r) => r.kind === 'credit_note' && r.order_id === checkout.orderId)!;
    // Proportional to the refunded share of the charge (tax included at Stripe): exactly what left the wallet.
    const clawback = await rig.purse.ctx.store.db.selectFrom('refund_clawbacks').selectAll().where('order_id', '=', checkout.orderId).executeTakeFirstOrThrow();
    expect(note.credited_minor).toBe(clawback.clawed_back_minor);
    expect(note.refund_id).toBe(clawback.reference);
    expect(note.transaction_id).toBe(clawback.transaction_id);
    const receipt = rows.find((r) => r.kind === 'receipt' && r.order_id === checkout.orderId)!;
    expect(note.serial).toBeGreaterThan(receipt.serial);
    await expectGapless(rig.purse);
  });
});

describe('isolation and bad input', () => {
  let other: TestTenant;
  beforeAll(async () => {
    other = await setupTenant(rig.purse);
  });

  it('another tenant\'s receipt is 404 as JSON and as PDF; a number key is 403; a bad cursor is 400', async () => {
    const [mine] = await receiptRows(rig.purse);
    expect((await asKey(rig.purse, other.tenantKey, 'GET', `/v1/billing/receipts/${mine!.id}`)).status).toBe(404);
    expect((await asKey(rig.purse, other.tenantKey, 'GET', `/v1/billing/receipts/${mine!.id}.pdf`)).body.code).toBe('NOT_FOUND');
    expect((await asKey(rig.purse, other.tenantKey, 'GET', '/v1/billing/receipts')).body.data).toEqual([]);
    expect((await asKey(rig.purse, rig.tenant.numberKey, 'GET', '/v1/billing/receipts')).body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    expect((await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/receipts?cursor=%25%25')).body.code).toBe('CURSOR_INVALID');
    expect((await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/receipts?limit=0')).status).toBe(400);
  });
});

describe(`${CONCURRENT_TOPUPS} concurrent top-ups`, () => {
  it('each gets one receipt; numbers stay gapless and unique', async () => {
    const ids = await openOrders(rig.purse, rig.tenant.tenantId, CONCURRENT_TOPUPS);
    const outcomes = await Promise.all(ids.map((id) => fulfilOrder(rig.purse.ctx, id, {})));
    expect(outcomes.every((o) => o === 'credited')).toBe(true);
    // Replays credit nothing and issue nothing.
    expect(await Promise.all(ids.slice(0, 20).map((id) => fulfilOrder(rig.purse.ctx, id, {})))).toEqual(Array(20).fill('already_credited'));
    const rows = await receiptRows(rig.purse);
    expect(rows.filter((r) => ids.includes(r.order_id ?? ''))).toHaveLength(CONCURRENT_TOPUPS);
    await expectGapless(rig.purse);
  }, 120_000);
});

describe.runIf(testDatabaseKind() === 'postgres')('two instances on one PostgreSQL database [postgres-only]', () => {
  it(`${CONCURRENT_TOPUPS} top-ups split over both: gapless, no duplicate`, async () => {
    const second = await startTestPurse({}, { shareDatabaseOf: rig.purse, payments: rig.purse.ctx.payments });
    try {
      const ids = await openOrders(rig.purse, rig.tenant.tenantId, CONCURRENT_TOPUPS);
      const outcomes = await Promise.all(ids.map((id, i) => fulfilOrder((i % 2 === 0 ? rig.purse : second).ctx, id, {})));
      expect(outcomes.every((o) => o === 'credited')).toBe(true);
      await expectGapless(rig.purse);
    } finally {
      await second.close();
    }
  }, 120_000);
});

describe('purse ledger verify', () => {
  it('fails when a receipt disagrees with its credit or a number is missing, and passes again once restored', async () => {
    const { verifyLedger } = await import('../ledger/verify-ledger.ts');
    const { RECEIPT_LEDGER_CHECKS } = await import('./receipt-checks.ts');
    const db = rig.purse.ctx.store.db;
    const failing = async () => (await verifyLedger(db, RECEIPT_LEDGER_CHECKS)).checks.filter((c) => !c.ok).map((c) => c.name);
    expect(await failing()).toEqual([]);
    await db.updateTable('receipts').set((eb) => ({ credited_minor: eb('credited_minor', '+', 1n) })).where('serial', '=', 1n).execute();
    expect(await failing()).toEqual(['receipts_document_every_credit']);
    await db.updateTable('receipts').set((eb) => ({ credited_minor: eb('credited_minor', '-', 1n) })).where('serial', '=', 1n).execute();
    await db.updateTable('receipt_counters').set({ last_number: 10_000n }).execute();
    expect(await failing()).toEqual(['receipt_numbers_gapless']);
    const issued = await db.selectFrom('receipts').select((eb) => eb.fn.countAll<bigint | number | string>().as('n')).executeTakeFirstOrThrow();
    await db.updateTable('receipt_counters').set({ last_number: BigInt(issued.n) }).execute();
    expect(await failing()).toEqual([]);
  });
});
