import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { type ConsoleBrowser, consoleBrowser } from '../testing/console.ts';
import { ROLLUP_SETTLE_MS, catchUpLedgerTotals } from './rollup.ts';

let purse: TestPurse;
let acme: TestTenant;
let globex: string;
let support: ConsoleBrowser;
let owner: ConsoleBrowser;
const nowMs = Date.now();

beforeAll(async () => {
  purse = await startTestPurse();
  acme = await setupTenant(purse);
  globex = (await admin(purse, 'POST', '/v1/admin/tenants', { name: 'Globex Corp', currency: 'USD' })).body.id;
  await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/adjustments`, { amount: '30', reason: 'acme credit only' });
  await admin(purse, 'POST', `/v1/admin/tenants/${globex}/adjustments`, { amount: '40', reason: 'globex credit only' });
  support = await consoleBrowser(purse, 'support');
  owner = await consoleBrowser(purse, 'owner');
});
afterAll(async () => purse.close());

describe('console pages: tenant search, tenant page and overview', () => {
  it('finds a tenant by the start of its name in any case or by id, and filters by currency', async () => {
    for (const q of ['glob', 'GLOBEX', 'globex corp']) {
      const byName = String((await support.get(`/admin/tenants?q=${encodeURIComponent(q)}`)).body);
      expect(byName, q).toContain(globex);
      expect(byName, q).not.toContain(acme.tenantId);
    }
    expect(String((await support.get(`/admin/tenants?q=${acme.tenantId}`)).body)).toContain(acme.tenantId);
    const usd = String((await support.get('/admin/tenants?currency=usd')).body);
    expect(usd).toContain(globex);
    expect(usd).not.toContain(acme.tenantId);
  });

  it("shows one tenant's wallet and history and nothing of another tenant", async () => {
    const page = String((await support.get(`/admin/tenants/${acme.tenantId}`)).body);
    expect(page).toContain('acme credit only');
    expect(page).not.toContain('globex credit only');
    expect(page).toMatch(/data-balance>R\$\s?30\.00</);
    expect((await support.get('/admin/tenants/ten_does_not_exist')).status).toBe(404);
  });

  it('shows money owed by currency and the 30-day totals on the overview, folded from the ledger once', async () => {
    // As the console-rollup job runs once the newest transactions have settled (rollup.ts).
    await catchUpLedgerTotals({ ...purse.ctx, nowMs: () => purse.ctx.nowMs() + ROLLUP_SETTLE_MS + 1_000 });
    const page = String((await support.get('/admin')).body);
    expect(page).toMatch(/BRL<\/td><td data-label="[^"]+">R\$\s?30\.00/);
    expect(page).toMatch(/USD<\/td><td data-label="[^"]+">US\$40\.00/);
    const state = await purse.ctx.store.db.selectFrom('console_rollup_state').select('last_seq').executeTakeFirstOrThrow();
    const txns = await purse.ctx.store.db.selectFrom('ledger_transactions').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(state.last_seq).toBe(txns.seq);
  });
});

describe('console pages: replaying deliveries and retrying Stripe events', () => {
  it('replays a failed delivery (support) and audits it', async () => {
    const db = purse.ctx.store.db;
    await db.insertInto('events').values({ id: 'evt_console_1', type: 'wallet.credited', tenant_id: acme.tenantId, data: '{}', created_at_ms: BigInt(nowMs), dispatched_at_ms: BigInt(nowMs) }).execute();
    await db.insertInto('webhook_endpoints').values({
      id: 'we_console_1', tenant_id: acme.tenantId, owner: acme.tenantId, url: 'https://hooks.example/x', description: null, events: '["wallet.credited"]', enabled: 1n,
      secret_salt: 's', previous_secret_salt: null, previous_secret_expires_at_ms: null, failing_since_ms: BigInt(nowMs), disabled_reason: null, created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs),
    }).execute();
    await db.insertInto('webhook_deliveries').values({
      id: 'whd_console_1', event_id: 'evt_console_1', endpoint_id: 'we_console_1', state: 'failed', attempts: 8n, next_attempt_at_ms: null, claimed_until_ms: null,
      last_status: 500n, last_error: 'HTTP 500', created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), delivered_at_ms: null,
    }).execute();
    expect(String((await support.get('/admin/deliveries')).body)).toContain('https://hooks.example/x');
    const res = await support.post('/admin/deliveries/evt_console_1/replay', { csrf: await support.csrf() });
    expect(res.status).toBe(303);
    const row = await db.selectFrom('webhook_deliveries').select('state').where('id', '=', 'whd_console_1').executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    const audit = await admin(purse, 'GET', `/v1/admin/audit?target=evt_console_1`);
    expect(audit.body.data[0]).toMatchObject({ actor: support.email, role: 'support', action: 'delivery.replay' });
  });

  it('retries a dead-lettered Stripe event (support)', async () => {
    const db = purse.ctx.store.db;
    const payload = JSON.stringify({ id: 'evt_stripe_dead', object: 'event', type: 'customer.created', data: { object: {} }, created: 1 });
    await db.insertInto('stripe_events').values({
      id: 'evt_stripe_dead', type: 'customer.created', payload, received_at_ms: BigInt(nowMs), processed_at_ms: null, claimed_until_ms: null, attempts: 8n,
      outcome: null, last_error: 'boom', failed_at_ms: BigInt(nowMs), waiting_for: null,
    }).execute();
    expect(String((await support.get('/admin/inbox')).body)).toContain('evt_stripe_dead');
    expect((await support.post('/admin/inbox/evt_stripe_dead/retry', { csrf: await support.csrf() })).status).toBe(303);
    const row = await db.selectFrom('stripe_events').select(['failed_at_ms', 'processed_at_ms']).where('id', '=', 'evt_stripe_dead').executeTakeFirstOrThrow();
    expect(row.failed_at_ms).toBeNull();
    expect(row.processed_at_ms).not.toBeNull();
  });
});

describe('console pages: operators and language', () => {
  it('lets an owner create an operator with a one-time link, and refuses support', async () => {
    const refused = await support.post('/admin/operators', { csrf: await support.csrf(), email: 'new@example.com', role: 'viewer' });
    expect(refused.status).toBe(403);
    const created = await owner.post('/admin/operators', { csrf: await owner.csrf(), email: 'new@example.com', role: 'viewer' });
    expect(String(created.body)).toMatch(/data-set-password-link>http:\/\/localhost:8080\/admin\/set-password\?token=/);
    const list = await purse.ctx.store.db.selectFrom('operators').select(['email', 'set_password_token_hash']).where('email', '=', 'new@example.com').executeTakeFirstOrThrow();
    expect(String(created.body)).not.toContain(list.set_password_token_hash);
  });

  it('speaks pt-BR when the browser asks', async () => {
    const res = await purse.app.inject({ method: 'GET', url: '/admin/tenants', headers: { cookie: support.cookie, 'accept-language': 'pt-BR' } });
    expect(res.body).toContain('Buscar por nome ou id');
    expect(res.body).toContain('<html lang="pt-BR">');
  });
});
