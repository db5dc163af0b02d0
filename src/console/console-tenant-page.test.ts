import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fulfilOrder } from '../checkout/fulfil-order.ts';
import { newId } from '../ids/ids.ts';
import { admin, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { type ConsoleBrowser, consoleBrowser } from '../testing/console.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Issue 23: one tenant's page — history filters and CSV, orders, refunds, disputes, credit blocks, receipts, deliveries with replay, auto top-up resume. */
let purse: TestPurse;
let acme: TestTenant;
let viewer: ConsoleBrowser;
let support: ConsoleBrowser;
let orderId: string;
const nowMs = Date.now();

beforeAll(async () => {
  purse = await startTestPurse();
  acme = await setupTenant(purse);
  const db = purse.ctx.store.db;
  await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/adjustments`, { amount: '30', reason: 'goodwill adjustment' });
  await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/credits`, { amount: '5', reason: 'launch promo' });
  orderId = newId('cto');
  await db.insertInto('checkout_orders').values({
    id: orderId, tenant_id: acme.tenantId, purpose: 'wallet_topup', state: 'open', amount_minor: 1_234n, currency: 'BRL',
    success_url: 'http://localhost:8080/billing', cancel_url: 'http://localhost:8080/billing', created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs),
  }).execute();
  expect(await fulfilOrder(purse.ctx, orderId, {})).toBe('credited');
  await db.insertInto('payment_methods').values({
    id: 'pm_console_1', tenant_id: acme.tenantId, stripe_customer_id: 'cus_console', brand: 'visa', last4: '4242', exp_month: 12n, exp_year: 2030n,
    is_default: 1n, created_at_ms: BigInt(nowMs), removed_at_ms: null, fingerprint: null,
  }).execute();
  await db.insertInto('auto_topup_configs').values({
    tenant_id: acme.tenantId, currency: 'BRL', state: 'paused', threshold_minor: 500n, amount_minor: 2_000n, target_balance_minor: null, monthly_cap_minor: null,
    charge_min_minor: 500n, charge_max_minor: 1_000_000n, paused_reason: 'authentication_required', recovery_attempt_id: null, consecutive_failures: 3n, retry_at_ms: null,
    capped_month: null, created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs),
  }).execute();
  await db.insertInto('events').values({ id: 'evt_tp_1', type: 'wallet.credited', tenant_id: acme.tenantId, data: '{}', created_at_ms: BigInt(nowMs), dispatched_at_ms: BigInt(nowMs) }).execute();
  await db.insertInto('webhook_endpoints').values({
    id: 'we_tp_1', tenant_id: acme.tenantId, owner: 'tenant', url: 'https://hooks.example/acme', description: null, events: '["wallet.credited"]', enabled: 1n,
    secret_salt: 's', previous_secret_salt: null, previous_secret_expires_at_ms: null, failing_since_ms: BigInt(nowMs), disabled_reason: null, created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs),
  }).execute();
  await db.insertInto('webhook_deliveries').values({
    id: 'whd_tp_1', event_id: 'evt_tp_1', endpoint_id: 'we_tp_1', state: 'failed', attempts: 8n, next_attempt_at_ms: null, claimed_until_ms: null,
    last_status: 500n, last_error: 'HTTP 500 from acme', created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), delivered_at_ms: null,
  }).execute();
  viewer = await consoleBrowser(purse, 'viewer');
  support = await consoleBrowser(purse, 'support');
});
afterAll(async () => purse.close());

const page = (b: ConsoleBrowser, query = '') => b.get(`/admin/tenants/${acme.tenantId}${query}`).then((r) => String(r.body));
const historyOf = (html: string) => /<section id="history">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

async function auditOf(target: string) {
  return (await admin(purse, 'GET', `/v1/admin/audit?target=${target}`)).body.data as Array<{ action: string; actor: string }>;
}

describe("a tenant's console page: history, orders, credit blocks and receipts", () => {
  it('filters the history by kind and dates, and exports the same filter as CSV', async () => {
    const all = historyOf(await page(viewer));
    expect(all).toContain('goodwill adjustment');
    expect(all).toContain('launch promo');
    const adjustments = historyOf(await page(viewer, '?kind=adjustment'));
    expect(adjustments).toContain('goodwill adjustment');
    expect(adjustments).not.toContain('launch promo');
    expect(historyOf(await page(viewer, '?kind=adjustment&from=2000-01-01&to=2000-01-02'))).not.toContain('goodwill adjustment');
    const csv = await viewer.get(`/admin/tenants/${acme.tenantId}/history.csv?kind=adjustment`);
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe('createdAt,id,kind,numberId,description,amount,balanceAfter,currency');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('goodwill adjustment');
    expect((await viewer.get(`/admin/tenants/${acme.tenantId}?from=yesterday`)).status).toBe(400);
    expect((await viewer.get(`/admin/tenants/${acme.tenantId}/history.csv?to=2026-13-99`)).status).toBe(400);
  });

  it('lists its orders, credit blocks and receipts, and a receipt downloads as a PDF with its number', async () => {
    const html = await page(viewer);
    expect(html).toContain(orderId);
    expect(html).toMatch(/id="credit-blocks"[\s\S]*launch promo/);
    const receipt = await purse.ctx.store.db.selectFrom('receipts').select(['id', 'number']).where('order_id', '=', orderId).executeTakeFirstOrThrow();
    expect(html).toContain(`/admin/tenants/${acme.tenantId}/receipts/${receipt.id}.pdf`);
    const pdf = await purse.app.inject({ method: 'GET', url: `/admin/tenants/${acme.tenantId}/receipts/${receipt.id}.pdf`, headers: { cookie: viewer.cookie } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'console-receipt-'));
    writeFileSync(join(dir, 'r.pdf'), pdf.rawPayload);
    expect(execFileSync('pdftotext', [join(dir, 'r.pdf'), '-'], { encoding: 'utf8' })).toContain(receipt.number);
    const other = (await admin(purse, 'POST', '/v1/admin/tenants', { name: 'Other', currency: 'BRL' })).body.id;
    expect((await viewer.get(`/admin/tenants/${other}/receipts/${receipt.id}.pdf`)).status).toBe(404);
    expect((await purse.app.inject({ method: 'GET', url: `/admin/tenants/${acme.tenantId}/receipts/${receipt.id}.pdf` })).statusCode).toBe(303);
  });
});

describe("a tenant's console page: support actions (delivery replay, auto top-up resume) and pt-BR", () => {
  it("shows each endpoint's deliveries; a viewer is refused the replay, support replays one delivery and it is audited", async () => {
    expect(await page(viewer)).toContain('HTTP 500 from acme');
    const path = `/admin/tenants/${acme.tenantId}/deliveries/whd_tp_1/replay`;
    expect((await viewer.post(path, { csrf: await viewer.csrf() })).status).toBe(403);
    expect((await support.post(path, { csrf: 'wrong' })).status).toBe(403);
    const state = () => purse.ctx.store.db.selectFrom('webhook_deliveries').select('state').where('id', '=', 'whd_tp_1').executeTakeFirstOrThrow();
    expect((await state()).state).toBe('failed');
    expect(await auditOf('whd_tp_1')).toEqual([]);
    expect(await page(support)).toContain('/deliveries/whd_tp_1/replay');
    const res = await support.post(path, { csrf: await support.csrf() });
    expect(res.status).toBe(303);
    expect((await state()).state).toBe('pending');
    expect(await auditOf('whd_tp_1')).toMatchObject([{ action: 'delivery.replay', actor: support.email }]);
    const other = (await admin(purse, 'POST', '/v1/admin/tenants', { name: 'Elsewhere', currency: 'BRL' })).body.id;
    expect((await support.post(`/admin/tenants/${other}/deliveries/whd_tp_1/replay`, { csrf: await support.csrf() })).status).toBe(404);
    expect(await auditOf('whd_tp_1')).toHaveLength(1);
  });

  it('resumes a paused auto top-up for support, not for a viewer nor without CSRF, and audits it', async () => {
    const path = `/admin/tenants/${acme.tenantId}/auto-topup/resume`;
    const config = () => purse.ctx.store.db.selectFrom('auto_topup_configs').select(['state', 'consecutive_failures']).where('tenant_id', '=', acme.tenantId).executeTakeFirstOrThrow();
    expect((await viewer.post(path, { csrf: await viewer.csrf() })).status).toBe(403);
    expect((await support.post(path, {})).status).toBe(403);
    expect((await config()).state).toBe('paused');
    expect(await page(support)).toContain(path);
    expect((await support.post(path, { csrf: await support.csrf() })).status).toBe(303);
    expect(await config()).toEqual({ state: 'active', consecutive_failures: 0n });
    const wallet = await purse.ctx.store.db.selectFrom('wallets').select('auto_topup_threshold_minor').where('tenant_id', '=', acme.tenantId).executeTakeFirstOrThrow();
    expect(wallet.auto_topup_threshold_minor).toBe(500n);
    expect((await auditOf(acme.tenantId)).filter((e) => e.action === 'auto_topup.resume')).toHaveLength(1);
    expect((await support.post(path, { csrf: await support.csrf() })).status).toBe(409);
    expect((await auditOf(acme.tenantId)).filter((e) => e.action === 'auto_topup.resume')).toHaveLength(1);
  });

  it('reads in pt-BR', async () => {
    const res = await purse.app.inject({ method: 'GET', url: `/admin/tenants/${acme.tenantId}`, headers: { cookie: viewer.cookie, 'accept-language': 'pt-BR' } });
    expect(res.body).toContain('Blocos de crédito');
    expect(res.body).toContain('Recibos');
  });
});
