import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Call, type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { type Receiver, startReceiver } from '../testing/webhook-receiver.ts';
import { expireHolds } from '../wallet/expire-holds.ts';
import { CLAIM_PER_ENDPOINT_MAX } from './claim-deliveries.ts';
import { runWebhookWorker } from './delivery-worker.ts';
import { DELIVERY_GIVE_UP_AFTER_MS, RETRY_DELAYS_MS, RETRY_JITTER_RATIO } from './retry-schedule.ts';

const START_MS = Date.UTC(2026, 5, 1, 12, 0, 0);
const CONCURRENT_DEBITS = 200;
let purse: TestPurse;
let receiver: Receiver;
let clockMs = START_MS;
let keyCounter = 0;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { nowMs: () => clockMs });
});

afterAll(async () => {
  await purse?.close();
});

beforeEach(async () => {
  await receiver?.close();
  receiver = await startReceiver();
});

function debit(tenant: TestTenant, amount: string): Promise<Call> {
  keyCounter += 1;
  return asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': `d-${keyCounter}` });
}

async function endpointFor(tenant: TestTenant, events: string[] = [], url = receiver.url): Promise<{ id: string; secret: string }> {
  const res = await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/webhook-endpoints', { url, events });
  expect(res.status).toBe(201);
  return res.body;
}

async function eventCount(tenantId: string, type: string): Promise<number> {
  const row = await purse.ctx.store.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).where('type', '=', type).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function deliveryOf(endpointId: string) {
  return purse.ctx.store.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).executeTakeFirstOrThrow();
}

describe('the catalog, as a receiver verifies it', () => {
  it('wallet.adjusted, wallet.low_balance, wallet.depleted and hold.expired arrive signed (standardwebhooks) with their data', async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    await fundWallet(purse, tenant.tenantId, '100.00');
    expect((await asKey(purse, tenant.tenantKey, 'PUT', '/v1/billing/alerts', { lowBalance: '50' })).body).toEqual({ lowBalance: 50 });
    expect((await debit(tenant, '60.00')).status).toBe(201);
    expect((await debit(tenant, '30.00')).status).toBe(201);
    const hold = await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: '10.00', expiresInSeconds: 60 });
    expect(hold.status).toBe(201);
    clockMs += 61_000;
    await expireHolds(purse.ctx);
    await runWebhookWorker(purse.ctx);
    const events = receiver.verified(endpoint.secret);
    expect(events.map((e) => e.type)).toEqual(['wallet.adjusted', 'wallet.low_balance', 'wallet.depleted', 'hold.expired']);
    const [adjusted, low, depleted, expired] = events;
    expect(adjusted).toMatchObject({ tenantId: tenant.tenantId, data: { amount: 100, reason: 'test funding', currency: 'BRL', balance: 100, available: 100 } });
    expect(low?.data).toEqual({ currency: 'BRL', balance: 40, held: 0, available: 40, lowBalance: 50 });
    expect(depleted?.data).toEqual({ currency: 'BRL', balance: 10, held: 10, available: 0 });
    expect(expired?.data).toMatchObject({ holdId: hold.body.hold.id, amount: 10, currency: 'BRL' });
    for (const [index, e] of events.entries()) {
      expect(e.id).toMatch(/^evt_[0-9A-Z]{26}$/);
      expect(receiver.received[index]?.headers['webhook-id']).toBe(e.id);
    }
  });

  it('a debit that crosses nothing writes no event; wallet.debited goes only to the endpoint that names it', async () => {
    const tenant = await setupTenant(purse);
    const other = await startReceiver();
    try {
      await endpointFor(tenant);
      await fundWallet(purse, tenant.tenantId, '100.00');
      await runWebhookWorker(purse.ctx);
      const before = receiver.received.length;
      expect((await debit(tenant, '1.00')).status).toBe(201);
      const rows = await purse.ctx.store.db.selectFrom('events').select('type').where('tenant_id', '=', tenant.tenantId).execute();
      expect(rows.map((r) => r.type)).toEqual(['wallet.adjusted']);
      const named = await endpointFor(tenant, ['wallet.debited'], other.url);
      expect((await debit(tenant, '2.50')).status).toBe(201);
      await runWebhookWorker(purse.ctx);
      expect(receiver.received.length).toBe(before);
      const debited = other.verified(named.secret);
      expect(debited.map((e) => e.type)).toEqual(['wallet.debited']);
      expect(debited[0]?.data).toMatchObject({ amount: 2.5, kind: 'usage', balance: 96.5, available: 96.5 });
    } finally {
      await other.close();
    }
  });
});

describe('alerts, test events and secret rotation', () => {
  it(`${CONCURRENT_DEBITS} concurrent debits crossing the alert send exactly one wallet.low_balance; it re-arms above the line`, async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, '300.00');
    await asKey(purse, tenant.tenantKey, 'PUT', '/v1/billing/alerts', { lowBalance: '150' });
    const results = await Promise.all(Array.from({ length: CONCURRENT_DEBITS }, () => debit(tenant, '1.00')));
    expect(results.filter((r) => r.status !== 201)).toEqual([]);
    expect(await eventCount(tenant.tenantId, 'wallet.low_balance')).toBe(1);
    await fundWallet(purse, tenant.tenantId, '100.00');
    expect((await debit(tenant, '60.00')).status).toBe(201);
    expect(await eventCount(tenant.tenantId, 'wallet.low_balance')).toBe(2);
  });

  it('a test event reaches the one endpoint it was sent to', async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    const sent = await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`);
    expect(sent.status).toBe(202);
    await runWebhookWorker(purse.ctx);
    expect(receiver.verified(endpoint.secret)).toMatchObject([{ id: sent.body.eventId, type: 'webhook_endpoint.test', data: { endpointId: endpoint.id } }]);
  });

  it('after a rotation both secrets verify for 24 h, then only the new one', async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    const rotated = await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/rotate-secret`);
    await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`);
    await runWebhookWorker(purse.ctx);
    expect(receiver.verified(endpoint.secret)).toHaveLength(1);
    expect(receiver.verified(rotated.body.secret)).toHaveLength(1);
    clockMs += 24 * 3_600_000 + 1;
    await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`);
    await runWebhookWorker(purse.ctx);
    expect(String(receiver.received[1]?.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => receiver.verified(endpoint.secret)).toThrow();
  });
});

describe('a backlog', () => {
  it(`drains in one pass: the endpoint's sender keeps claiming while it finds ${CLAIM_PER_ENDPOINT_MAX} due, each event once`, async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    const count = CLAIM_PER_ENDPOINT_MAX * 3 + 1;
    for (let i = 0; i < count; i += 1) expect((await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`)).status).toBe(202);
    expect(await runWebhookWorker(purse.ctx)).toBe(count);
    const ids = receiver.verified(endpoint.secret).map((e) => e.id);
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(await runWebhookWorker(purse.ctx)).toBe(0);
  });

  it('to a receiver answering only failures is not sent all at once: one batch per pass', async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    receiver.answer = () => 503;
    for (let i = 0; i <= CLAIM_PER_ENDPOINT_MAX; i += 1) expect((await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`)).status).toBe(202);
    expect(await runWebhookWorker(purse.ctx)).toBe(CLAIM_PER_ENDPOINT_MAX);
    expect(receiver.received).toHaveLength(CLAIM_PER_ENDPOINT_MAX);
    receiver.answer = () => 200;
    expect(await runWebhookWorker(purse.ctx)).toBe(1);
    // The failed batch on its retry schedule, now answered: nothing is left for the tests after this one.
    clockMs += Math.ceil(RETRY_DELAYS_MS[0]! * (1 + RETRY_JITTER_RATIO)) + 1;
    expect(await runWebhookWorker(purse.ctx)).toBe(CLAIM_PER_ENDPOINT_MAX);
    expect(new Set(receiver.verified(endpoint.secret).map((e) => e.id)).size).toBe(CLAIM_PER_ENDPOINT_MAX + 1);
  });
});

describe('retries', () => {
  it('a receiver answering 500 is retried on the schedule, with the same webhook-id, until it answers 2xx', async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    receiver.answer = () => 500;
    await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`);
    await runWebhookWorker(purse.ctx);
    for (const [index, delayMs] of RETRY_DELAYS_MS.slice(0, 4).entries()) {
      const due = await deliveryOf(endpoint.id);
      expect(due.attempts).toBe(BigInt(index + 1));
      const waitMs = Number(due.next_attempt_at_ms) - clockMs;
      expect(waitMs).toBeGreaterThanOrEqual(delayMs * (1 - RETRY_JITTER_RATIO) - 1);
      expect(waitMs).toBeLessThanOrEqual(delayMs * (1 + RETRY_JITTER_RATIO) + 1);
      clockMs += waitMs - 1;
      expect(await runWebhookWorker(purse.ctx)).toBe(0);
      clockMs += 1;
      expect(await runWebhookWorker(purse.ctx)).toBe(1);
    }
    receiver.answer = () => 204;
    clockMs = Number((await deliveryOf(endpoint.id)).next_attempt_at_ms);
    await runWebhookWorker(purse.ctx);
    const done = await deliveryOf(endpoint.id);
    expect(done).toMatchObject({ state: 'delivered', attempts: 6n, last_status: 204n });
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.received).toHaveLength(6);
  });

  it.each(['close', 'hang'] as const)('a receiver that answers %s gets a retry', async (answer) => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    receiver.answer = () => answer;
    await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`);
    await runWebhookWorker(purse.ctx);
    const failed = await deliveryOf(endpoint.id);
    expect(failed).toMatchObject({ state: 'pending', attempts: 1n, last_status: null });
    expect(failed.last_error).toEqual(expect.any(String));
    receiver.answer = () => 200;
    clockMs = Number(failed.next_attempt_at_ms);
    await runWebhookWorker(purse.ctx);
    expect(await deliveryOf(endpoint.id)).toMatchObject({ state: 'delivered', attempts: 2n });
  }, 30_000);
});

describe('giving up on a receiver', () => {
  it('gives up after 3 days (failed), disables the endpoint with an event, and redeliver sends the same webhook-id again', async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await endpointFor(tenant);
    receiver.answer = () => 503;
    await fundWallet(purse, tenant.tenantId, '5.00');
    const adjusted = await purse.ctx.store.db.selectFrom('events').select('id').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    const giveUpAtMs = clockMs + DELIVERY_GIVE_UP_AFTER_MS;
    await runWebhookWorker(purse.ctx);
    while ((await deliveryOf(endpoint.id)).state === 'pending') {
      clockMs = Math.max(clockMs, Number((await deliveryOf(endpoint.id)).next_attempt_at_ms));
      await runWebhookWorker(purse.ctx);
    }
    expect(clockMs).toBeGreaterThanOrEqual(giveUpAtMs);
    expect((await deliveryOf(endpoint.id)).state).toBe('failed');
    const view = await asKey(purse, tenant.tenantKey, 'GET', `/v1/billing/webhook-endpoints/${endpoint.id}`);
    expect(view.body).toMatchObject({ enabled: false, disabledReason: expect.any(String) });
    expect(await eventCount(tenant.tenantId, 'webhook_endpoint.disabled')).toBe(1);
    expect(purse.logs()).toContain('webhook endpoint disabled');
    receiver.answer = () => 200;
    await asKey(purse, tenant.tenantKey, 'PATCH', `/v1/billing/webhook-endpoints/${endpoint.id}`, { enabled: true });
    const redelivered = await admin(purse, 'POST', `/v1/admin/events/${adjusted.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    const attemptsBefore = receiver.received.length;
    await runWebhookWorker(purse.ctx);
    // The endpoint, enabled again, also hears the webhook_endpoint.disabled event about itself.
    const again = receiver.verified(endpoint.secret).slice(attemptsBefore);
    expect(again.map((e) => e.type).sort()).toEqual(['wallet.adjusted', 'webhook_endpoint.disabled']);
    expect(again.find((e) => e.type === 'wallet.adjusted')?.id).toBe(adjusted.id);
    expect((await deliveryOf(endpoint.id)).state).toBe('delivered');
    const listed = await asKey(purse, tenant.tenantKey, 'GET', `/v1/billing/webhook-endpoints/${endpoint.id}/deliveries`);
    expect(listed.body.data.find((d: { eventId: string }) => d.eventId === adjusted.id)).toMatchObject({ eventType: 'wallet.adjusted', state: 'delivered', attempts: expect.any(Number) });
  });
});
