import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, setupTenant } from '../testing/api.ts';
import { expireCreditBlocks } from '../credits/end-credit-block.ts';
import { startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import { pdfText } from '../testing/pdf-text.ts';
import { type Rig, createTopup, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { newId } from '../ids/ids.ts';

/**
 * Monthly statements (issue 22): for a month with top-ups, debits, holds, refunds, disputes, adjustments,
 * credit grants and a credit block's expiry,
 * opening + credits − debits = closing = the wallet's balance read when the month ended; the next month
 * opens where it closed. A kind no label names yet reads "Other (kind)".
 */
const HOUR_SECONDS = 3_600;
const DAY_MS = 86_400_000;
const TWO_DAYS_SECONDS = 2 * 86_400;

let rig: Rig;
let balanceAtNovemberEnd = 0;
beforeAll(async () => {
  rig = await startRig({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  await novemberActivity();
  balanceAtNovemberEnd = await walletBalance();
  const decemberMs = Date.UTC(2026, 11, 1);
  rig.sandbox.advanceClock((decemberMs - rig.sandbox.clock.nowMs()) / 1000 + HOUR_SECONDS);
  expect((await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: '1.10' }, { 'idempotency-key': 'st-dec-1' })).status).toBe(201);
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

async function walletBalance(): Promise<number> {
  return (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/wallet')).body.balance;
}

async function paidTopup(amount: number): Promise<string> {
  const checkout = await createTopup(rig, amount);
  const session = rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
  await rig.sandbox.webhooks.idle();
  return String((await rig.stripe.paymentIntents.retrieve(String(session.payment_intent))).latest_charge);
}

async function novemberActivity(): Promise<void> {
  const key = rig.tenant.tenantKey;
  const refunded = await paidTopup(100);
  const disputed = await paidTopup(50);
  await fundWallet(rig.purse, rig.tenant.tenantId, 7);
  expect((await asKey(rig.purse, key, 'POST', '/v1/billing/usage', { amount: '12.34' }, { 'idempotency-key': 'st-nov-1' })).status).toBe(201);
  const hold = await asKey(rig.purse, key, 'POST', '/v1/billing/holds', { amount: '5' }, { 'idempotency-key': 'st-hold-1' });
  expect((await asKey(rig.purse, key, 'POST', `/v1/billing/holds/${hold.body.hold.id}/capture`, { amount: '3' }, { 'idempotency-key': 'st-capture-1' })).status).toBe(200);
  expect((await asKey(rig.purse, key, 'POST', '/v1/billing/holds', { amount: '2' }, { 'idempotency-key': 'st-hold-2' })).status).toBe(201); // left open: no balance change
  rig.sandbox.refundCharge(refunded, 2_000);
  await rig.sandbox.webhooks.idle();
  const dispute = rig.sandbox.disputeCharge(disputed);
  await rig.sandbox.webhooks.idle();
  rig.sandbox.closeDispute(dispute.id, 'lost');
  await rig.sandbox.webhooks.idle();
  await creditBlocksGrantedAndOneExpired();
}

/** Two promotional grants (issue 21), one expiring a day later; two days on, still in November, it expires. */
async function creditBlocksGrantedAndOneExpired(): Promise<void> {
  const url = `/v1/admin/tenants/${rig.tenant.tenantId}/credits`;
  expect((await admin(rig.purse, 'POST', url, { amount: '4', reason: 'welcome', reference: 'st-grant-1' })).status).toBe(201);
  const expiresAt = new Date(rig.purse.ctx.nowMs() + DAY_MS).toISOString();
  expect((await admin(rig.purse, 'POST', url, { amount: '3', reason: 'promo', expiresAt, reference: 'st-grant-2' })).status).toBe(201);
  rig.sandbox.advanceClock(TWO_DAYS_SECONDS);
  expect(new Date(rig.purse.ctx.nowMs()).getUTCMonth()).toBe(10);
  expect(await expireCreditBlocks(rig.purse.ctx)).toBe(1);
}

describe('GET /v1/billing/statements/{YYYY-MM}', () => {
  it('a finished month reconciles with the ledger balance at its end', async () => {
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/statements/2026-11');
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({ period: '2026-11', currency: 'BRL', opening: 0, closing: balanceAtNovemberEnd });
    expect(Math.round((s.opening + s.credits - s.debits) * 100)).toBe(Math.round(s.closing * 100));
    const kinds = new Set(s.lines.map((l: { kind: string }) => l.kind));
    for (const kind of ['topup', 'usage', 'hold_capture', 'adjustment', 'refund_clawback', 'dispute_loss', 'credit_grant', 'credit_expiry']) expect(kinds).toContain(kind);
    const sum = s.lines.reduce((total: number, l: { amount: number }) => total + Math.round(l.amount * 100), 0);
    expect(sum).toBe(Math.round((s.credits - s.debits) * 100));
    expect(s.lines.find((l: { kind: string }) => l.kind === 'topup')).toMatchObject({ count: 2, amount: 150, description: 'Top-up' });
  });

  it('the current month opens where the last one closed and closes at the balance now', async () => {
    const s = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/statements/2026-12?lang=pt-BR')).body;
    expect(s.opening).toBe(balanceAtNovemberEnd);
    expect(s.closing).toBe(await walletBalance());
    expect(s.lines).toEqual([{ kind: 'usage', description: 'Consumo', count: 1, amount: -1.1 }]);
  });

  it('as CSV and PDF carries the same figures', async () => {
    const csv = await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/statements/2026-11.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = String(csv.body).trimEnd().split('\r\n');
    expect(rows[0]).toBe('period,kind,description,count,amount,currency');
    expect(rows[rows.length - 1]).toBe(`2026-11,closing,Closing balance,,${balanceAtNovemberEnd.toFixed(2)},BRL`);
    const pdf = await rig.purse.app.inject({ method: 'GET', url: '/v1/billing/statements/2026-11.pdf?lang=pt-BR', headers: { 'x-api-key': rig.tenant.tenantKey } });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain('Extrato 2026-11');
    expect(text).toContain(`Saldo final ${new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' }).format(balanceAtNovemberEnd).replace(/\s/g, ' ')}`);
  });

  it.each([['2026-13'], ['2026-1'], ['26-11'], ['2027-01'], ['abcd-ef'], ['1999-12']])('refuses %s with 400 PERIOD_INVALID', async (period) => {
    for (const suffix of ['', '.csv', '.pdf']) {
      const res = await asKey(rig.purse, rig.tenant.tenantKey, 'GET', `/v1/billing/statements/${period}${suffix}`);
      expect([res.status, res.body.code]).toEqual([400, 'PERIOD_INVALID']);
    }
  });

  it('a number key is refused (403); another tenant sees only its own empty month', async () => {
    expect((await asKey(rig.purse, rig.tenant.numberKey, 'GET', '/v1/billing/statements/2026-11')).body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    const other = await setupTenant(rig.purse);
    expect((await asKey(rig.purse, other.tenantKey, 'GET', '/v1/billing/statements/2026-11')).body).toMatchObject({ opening: 0, credits: 0, debits: 0, closing: 0, lines: [] });
  });
});

describe('a ledger kind the labels do not know yet (added by another feature)', () => {
  it('is counted and reads "Other (kind)" instead of failing', async () => {
    const purse = await startTestPurse();
    try {
      const tenant = await setupTenant(purse);
      const nowMs = BigInt(purse.ctx.nowMs());
      const period = new Date(Number(nowMs)).toISOString().slice(0, 7);
      await purse.ctx.store.db.insertInto('ledger_transactions').values({
        id: newId('txn'), reference: `test:new-kind:${tenant.tenantId}`, tenant_id: tenant.tenantId, number_id: null, kind: 'future_kind',
        description: null, metadata: null, currency: 'BRL', wallet_amount_minor: -250n, wallet_balance_after_minor: -250n, created_at_ms: nowMs,
      }).execute();
      const s = (await asKey(purse, tenant.tenantKey, 'GET', `/v1/billing/statements/${period}`)).body;
      expect(s.lines).toEqual([{ kind: 'future_kind', description: 'Other (future_kind)', count: 1, amount: -2.5 }]);
      expect(s).toMatchObject({ debits: 2.5, closing: -2.5 });
      const pdf = await purse.app.inject({ method: 'GET', url: `/v1/billing/statements/${period}.pdf?lang=pt-BR`, headers: { 'x-api-key': tenant.tenantKey } });
      expect(await pdfText(pdf.rawPayload)).toContain('Outros (future_kind)');
    } finally {
      await purse.close();
    }
  });
});
