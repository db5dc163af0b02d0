import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { type Rig, deliver, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { fanOutEvents } from '../webhooks/fan-out.ts';
import { JOBS } from '../jobs/jobs.ts';
import { INBOX_RETRY_AFTER_MS } from '../stripe/inbox.ts';

/** The value of one sample line, e.g. `purse_wallet_operations_total{operation="debit"}`; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const VISA = '4242424242424242';
const SECOND_MS = 1000;

async function scrape(purse: TestPurse): Promise<string> {
  const res = await purse.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body;
}

// One Purse for the two `GET /metrics: …` describes that scrape a plain instance; the inbox describe has its own rig.
let purse: TestPurse;
let tenant: TestTenant;
beforeAll(async () => {
  purse = await startTestPurse();
  tenant = await setupTenant(purse);
});
afterAll(() => purse.close());

describe('GET /metrics: requests, wallet operations and the outbox', () => {
  it('counts requests per route and status, and debits, credits and holds that were acknowledged', async () => {
    const before = await scrape(purse);
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '10', reason: 'metrics' })).status).toBe(201);
    expect((await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: '1' }, { 'idempotency-key': 'm-1' })).status).toBe(201);
    expect((await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: '100' }, { 'idempotency-key': 'm-2' })).status).toBe(402);
    const hold = await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: '2' });
    expect(hold.status).toBe(201);
    expect((await asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/holds/${hold.body.hold.id}/void`)).status).toBe(200);
    const after = await scrape(purse);
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('purse_http_requests_total{method="POST",route="/v1/billing/usage",status="201"}')).toBe(1);
    expect(delta('purse_http_requests_total{method="POST",route="/v1/billing/usage",status="402"}')).toBe(1);
    expect(delta('purse_http_request_duration_seconds_count{method="POST",route="/v1/billing/usage",status="201"}')).toBe(1);
    expect(delta('purse_wallet_operations_total{operation="debit"}')).toBe(1);
    expect(delta('purse_wallet_operations_total{operation="credit"}')).toBe(1);
    expect(delta('purse_wallet_operations_total{operation="hold_place"}')).toBe(1);
    expect(delta('purse_wallet_operations_total{operation="hold_void"}')).toBe(1);
    expect(sample(after, 'purse_group_commit_batches')).toBeGreaterThan(0);
    // Every batch that committed those writes is in the size histogram.
    expect(delta('purse_group_commit_batch_size_count')).toBeGreaterThanOrEqual(4);
    expect(delta('purse_group_commit_batch_size_sum')).toBeGreaterThanOrEqual(4);
    expect(sample(after, 'purse_group_commit_batch_size_bucket{le="+Inf"}')).toBe(sample(after, 'purse_group_commit_batch_size_count'));
  });

  it('counts the outbox backlog: events until they are fanned out, then deliveries until they are sent', async () => {
    const endpoint = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks', tenantId: tenant.tenantId, events: ['wallet.adjusted'] });
    expect(endpoint.status).toBe(201);
    await fanOutEvents(purse.ctx);
    const before = await scrape(purse);
    expect(sample(before, 'purse_outbox_backlog{kind="events"}')).toBe(0);
    expect(sample(before, 'purse_outbox_lag_seconds')).toBe(0);
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '3', reason: 'outbox' })).status).toBe(201);
    const queued = await scrape(purse);
    expect(sample(queued, 'purse_outbox_backlog{kind="events"}')).toBe(1);
    await fanOutEvents(purse.ctx);
    const fannedOut = await scrape(purse);
    expect(sample(fannedOut, 'purse_outbox_backlog{kind="events"}')).toBe(0);
    expect(sample(fannedOut, 'purse_outbox_backlog{kind="deliveries"}') - sample(before, 'purse_outbox_backlog{kind="deliveries"}')).toBe(1);
  });
});

describe('GET /metrics: database pool, Stripe inbox on a quiet instance and unknown URLs', () => {
  it.runIf(testDatabaseKind() === 'postgres')('reports the PostgreSQL pool\'s connections [postgres-only]', async () => {
    const text = await scrape(purse);
    expect(sample(text, 'purse_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(text).toContain('purse_db_pool_connections{state="idle"}');
    expect(text).toContain('purse_db_pool_connections{state="waiting"}');
  });

  it.runIf(testDatabaseKind() === 'sqlite')('has no pool series on SQLite, which has one connection [sqlite-only]', async () => {
    expect(await scrape(purse)).not.toContain('purse_db_pool_connections{');
  });

  it('reports the webhook inbox: nothing pending on a quiet instance', async () => {
    const text = await scrape(purse);
    expect(text).toContain('purse_webhook_inbox_events{state="pending"} 0');
    expect(text).toContain('purse_webhook_inbox_lag_seconds 0');
  });

  it('labels unknown URLs as one series, so scanning cannot create new series', async () => {
    await call(purse, 'GET', '/no/such/path/123');
    await call(purse, 'GET', '/no/such/path/456');
    const text = await scrape(purse);
    expect(text).not.toContain('/no/such/path');
    expect(sample(text, 'purse_http_requests_total{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(2);
  });
});

describe('GET /metrics: the Stripe webhook inbox', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ deliverWebhooks: false });
  });
  afterAll(() => rig?.close());

  it('shows an event whose processing failed as pending and failing, with its lag, until a retry processes it', async () => {
    const checkout = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    expect(checkout.status).toBe(200);
    const sessionId = sessionIdOf(checkout.body.url);
    rig.sandbox.paySession(sessionId, { card: VISA });
    const event = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId);
    // The handler reads the saved card from Stripe: make that fail (the SDK tries twice), then deliver.
    rig.sandbox.setFaults({ failNext: 2, status: 500 });
    expect((await deliver(rig, JSON.stringify(event))).status).toBe(200);
    rig.sandbox.setFaults({ failNext: 0 });
    rig.sandbox.clock.advance(INBOX_RETRY_AFTER_MS / SECOND_MS);
    const failing = await scrape(rig.purse);
    expect(sample(failing, 'purse_webhook_inbox_events{state="pending"}')).toBe(1);
    expect(sample(failing, 'purse_webhook_inbox_events{state="failing"}')).toBe(1);
    expect(sample(failing, 'purse_webhook_inbox_events{state="dead_lettered"}')).toBe(0);
    expect(sample(failing, 'purse_webhook_inbox_lag_seconds')).toBe(INBOX_RETRY_AFTER_MS / SECOND_MS);

    const retry = JOBS.find((j) => j.name === 'stripe-inbox-retry');
    expect(await retry?.run(rig.purse.ctx)).toBe(1);
    const done = await scrape(rig.purse);
    expect(sample(done, 'purse_webhook_inbox_events{state="pending"}')).toBe(0);
    expect(sample(done, 'purse_webhook_inbox_events{state="failing"}')).toBe(0);
    expect(sample(done, 'purse_webhook_inbox_lag_seconds')).toBe(0);
  });
});
