import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

/** The value of one sample line, e.g. `purse_wallet_operations_total{operation="debit"}`; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(purse: TestPurse): Promise<string> {
  const res = await purse.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body;
}

describe('GET /metrics', () => {
  let purse: TestPurse;
  let tenant: TestTenant;
  beforeAll(async () => {
    purse = await startTestPurse();
    tenant = await setupTenant(purse);
  });
  afterAll(() => purse.close());

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
