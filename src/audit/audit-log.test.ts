import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

let purse: TestPurse;
let tenant: TestTenant;

beforeAll(async () => {
  purse = await startTestPurse();
  tenant = await setupTenant(purse);
});
afterAll(async () => purse.close());

describe('audit log', () => {
  it('records admin-key writes as actor api-key with the route, target and a body without secrets', async () => {
    await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '7', reason: 'api correction', reference: 'r-1' });
    const res = await admin(purse, 'GET', `/v1/admin/audit?actor=api-key&target=${tenant.tenantId}`);
    expect(res.status).toBe(200);
    const adjustment = res.body.data.find((e: { action: string }) => e.action === 'POST /v1/admin/tenants/:tenantId/adjustments');
    expect(adjustment).toMatchObject({ actor: 'api-key', target: tenant.tenantId, after: { body: { amount: '7', reason: 'api correction' } } });
    expect(adjustment.requestId).toMatch(/^req_/);
    const keys = res.body.data.filter((e: { action: string }) => e.action === 'POST /v1/admin/tenants/:tenantId/keys');
    expect(keys.length).toBe(2);
    expect(JSON.stringify(res.body)).not.toContain(tenant.tenantKey);
  });

  it('does not record refused writes or reads', async () => {
    const before = (await admin(purse, 'GET', '/v1/admin/audit?limit=200')).body.data.length;
    await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: 'nope', reason: 'bad' });
    await admin(purse, 'GET', `/v1/admin/tenants/${tenant.tenantId}`);
    expect((await admin(purse, 'GET', '/v1/admin/audit?limit=200')).body.data.length).toBe(before);
  });

  it('pages newest first with a cursor and refuses a forged cursor', async () => {
    const first = await admin(purse, 'GET', '/v1/admin/audit?limit=2');
    expect(first.body.data).toHaveLength(2);
    const second = await admin(purse, 'GET', `/v1/admin/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id).not.toBe(first.body.data[1].id);
    expect((await admin(purse, 'GET', '/v1/admin/audit?cursor=bm9wZQ')).body.code).toBe('CURSOR_INVALID');
  });

  it('needs the admin key', async () => {
    expect((await call(purse, 'GET', '/v1/admin/audit')).status).toBe(401);
    expect((await call(purse, 'GET', '/v1/admin/audit', { headers: { 'x-api-key': tenant.tenantKey } })).status).toBe(401);
  });

  it('has no route that changes it, and the database refuses UPDATE and DELETE', async () => {
    const routes = purse.app.registeredRoutes.filter((r) => r.includes('/audit'));
    expect(routes).toEqual(['GET /v1/admin/audit']);
    const db = purse.ctx.store.db;
    await expect(sql`update audit_log set actor = 'someone else'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/append-only/);
    const rows = await db.selectFrom('audit_log').select('actor').execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.actor === 'api-key')).toBe(true);
  });
});
