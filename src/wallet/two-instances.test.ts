import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Call, asKey, call } from '../testing/api.ts';
import { type TestPurse, startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import { type Rig, createTopup, sessionIdOf, signedDelivery, startRig } from '../testing/stripe-rig.ts';

/**
 * Two independent Purse instances on one PostgreSQL database: each has its own pool and its own commit
 * batcher, so nothing in the application orders their writes; only the database does. (SQLite is one
 * writer per file by design, and the in-process "two instances" of spending-concurrency.test.ts share a
 * batcher; this is the race between processes that production sees.)
 */
const PARALLEL_DEBITS = 120;
const PARALLEL_HOLDS = 60;
const SAME_EVENT_DELIVERIES = 6;
const CENTS = 100;
const HIGH_RATE_LIMIT = { RATE_LIMIT_PER_MINUTE: '1000000' };

const onPostgres = testDatabaseKind() === 'postgres';
// One rig and a second instance for the whole file: the describes below share the tenant and its wallet.
let rig: Rig;
let a: TestPurse;
let b: TestPurse;

beforeAll(async () => {
  if (!onPostgres) return;
  rig = await startRig({ deliverWebhooks: false, env: HIGH_RATE_LIMIT });
  a = rig.purse;
  b = await startTestPurse(HIGH_RATE_LIMIT, { shareDatabaseOf: a, payments: a.ctx.payments, nowMs: () => rig.sandbox.clock.nowMs() });
});
afterAll(async () => {
  await b?.close();
  await rig?.close();
});

function instance(i: number): TestPurse {
  return i % 2 === 0 ? a : b;
}

async function storedWallet(): Promise<{ balance: number; held: number }> {
  const row = await a.ctx.store.db.selectFrom('wallets').select(['balance_minor', 'held_minor']).where('tenant_id', '=', rig.tenant.tenantId).executeTakeFirstOrThrow();
  return { balance: Number(row.balance_minor), held: Number(row.held_minor) };
}

describe.runIf(onPostgres)('two instances racing on one PostgreSQL database: debits [postgres-only]', () => {
  it('they are really two: separate pools and batchers', () => {
    expect(a.ctx.store).not.toBe(b.ctx.store);
    expect(a.ctx.store.db).not.toBe(b.ctx.store.db);
  });

  it(`${PARALLEL_DEBITS} debits split over both never overdraw; the balance drops by exactly what was acknowledged`, async () => {
    await fundWallet(a, rig.tenant.tenantId, 50);
    const before = await storedWallet();
    const amounts = Array.from({ length: PARALLEL_DEBITS }, (_, i) => ((i * 53) % 97) + 1);
    const results = await Promise.all(amounts.map((cents, i) => asKey(instance(i), rig.tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: (cents / CENTS).toFixed(2) }, { 'idempotency-key': `two-debit-${i}` })));
    expect(results.filter((r) => ![201, 402].includes(r.status)).map((r) => [r.status, r.body])).toEqual([]);
    const acknowledged = amounts.filter((_, i) => results[i]!.status === 201).reduce((sum, c) => sum + c, 0);
    expect(amounts.reduce((sum, c) => sum + c, 0)).toBeGreaterThan(before.balance); // more was asked than there was
    expect(results.some((r) => r.status === 402)).toBe(true);
    const after = await storedWallet();
    expect(after.balance).toBe(before.balance - acknowledged);
    expect(after.balance).toBeGreaterThanOrEqual(0);
  });

  it('one Idempotency-Key sent to both instances at once debits once', async () => {
    await fundWallet(a, rig.tenant.tenantId, 10);
    const before = await storedWallet();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => asKey(instance(i), rig.tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: '1.25' }, { 'idempotency-key': 'two-same-key' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.transaction.id)).size).toBe(1);
    expect((await storedWallet()).balance).toBe(before.balance - 125);
  });
});

describe.runIf(onPostgres)('two instances racing on one PostgreSQL database: holds and a paid checkout [postgres-only]', () => {
  it(`${PARALLEL_HOLDS} holds over both never reserve more than the balance; captures of one hold on both take the money once`, async () => {
    await fundWallet(a, rig.tenant.tenantId, 20);
    const before = await storedWallet();
    const available = before.balance - before.held;
    const results: Call[] = await Promise.all(Array.from({ length: PARALLEL_HOLDS }, (_, i) => asKey(instance(i), rig.tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: '0.75' })));
    expect(results.filter((r) => ![201, 402].includes(r.status)).map((r) => [r.status, r.body])).toEqual([]);
    const placed = results.filter((r) => r.status === 201).map((r) => r.body.hold.id as string);
    expect(placed.length).toBe(Math.min(PARALLEL_HOLDS, Math.floor(available / 75)));
    expect((await storedWallet()).held).toBe(before.held + placed.length * 75);

    const holdId = placed[0]!;
    const captures = await Promise.all(Array.from({ length: 8 }, (_, i) => asKey(instance(i), rig.tenant.tenantKey, 'POST', `/v1/billing/holds/${holdId}/capture`, { amount: '0.50' })));
    expect(captures.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(captures.map((r) => r.body.transaction.id)).size).toBe(1);
    const after = await storedWallet();
    expect(after.balance).toBe(before.balance - 50);
    expect(after.held).toBe(before.held + (placed.length - 1) * 75);
  });

  it('the same paid checkout event delivered to both instances at once credits once', async () => {
    const before = await storedWallet();
    const checkout = await createTopup(rig, 42);
    const sessionId = sessionIdOf(checkout.url);
    rig.sandbox.paySession(sessionId, { card: '4242424242424242' });
    const completed = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId)!;
    // Another event id for the same session (Stripe's async success), so the inbox does not dedupe it away.
    const twin = { ...completed, id: `${completed.id}_async`, type: 'checkout.session.async_payment_succeeded' };
    const deliveries = Array.from({ length: SAME_EVENT_DELIVERIES }, (_, i) => {
      const payload = JSON.stringify(i % 3 === 2 ? twin : completed);
      return call(instance(i), 'POST', '/v1/webhooks/stripe', { rawBody: payload, headers: signedDelivery(payload, Math.floor(rig.sandbox.clock.nowMs() / 1000)) });
    });
    expect((await Promise.all(deliveries)).map((r) => r.status)).toEqual(Array(SAME_EVENT_DELIVERIES).fill(200));
    expect((await storedWallet()).balance).toBe(before.balance + 42 * CENTS);
    const credits = await a.ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', '=', `topup:${checkout.orderId}`).execute();
    expect(credits).toHaveLength(1);
  });

  it('leaves the ledger sound after everything above', async () => {
    await expectLedgerSound(a);
  });
});
