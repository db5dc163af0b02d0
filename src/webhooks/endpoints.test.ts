import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

let purse: TestPurse;
let tenantA: TestTenant;
let tenantB: TestTenant;
const URL_A = 'http://127.0.0.1:9/hooks';

beforeAll(async () => {
  purse = await startTestPurse();
  tenantA = await setupTenant(purse);
  tenantB = await setupTenant(purse);
});

afterAll(async () => {
  await purse?.close();
});

describe('webhook endpoints', () => {
  it('creates an operator endpoint, shows the whsec_ secret once, and never logs it', async () => {
    const created = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: URL_A, events: ['wallet.low_balance'], description: 'ops' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: URL_A, events: ['wallet.low_balance'], tenantId: null, enabled: true, description: 'ops' });
    expect(created.body.id).toMatch(/^we_[0-9A-Z]{26}$/);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const read = await admin(purse, 'GET', `/v1/admin/webhook-endpoints/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    expect(purse.logs()).not.toContain(created.body.secret.slice('whsec_'.length));
  });

  it('patches url, events and enabled, lists newest first with a cursor, and deletes', async () => {
    const one = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: URL_A, tenantId: tenantA.tenantId });
    const two = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: URL_A, tenantId: tenantA.tenantId });
    const patched = await admin(purse, 'PATCH', `/v1/admin/webhook-endpoints/${one.body.id}`, { url: 'https://example.com/x', events: ['topup.succeeded'], enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ url: 'https://example.com/x', events: ['topup.succeeded'], enabled: false });
    const page = await admin(purse, 'GET', `/v1/admin/webhook-endpoints?tenantId=${tenantA.tenantId}&limit=1`);
    expect(page.body.data.map((e: { id: string }) => e.id)).toEqual([two.body.id]);
    const next = await admin(purse, 'GET', `/v1/admin/webhook-endpoints?tenantId=${tenantA.tenantId}&limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.data.map((e: { id: string }) => e.id)).toEqual([one.body.id]);
    expect((await admin(purse, 'DELETE', `/v1/admin/webhook-endpoints/${one.body.id}`)).body).toEqual({ id: one.body.id, deleted: true });
    expect((await admin(purse, 'GET', `/v1/admin/webhook-endpoints/${one.body.id}`)).status).toBe(404);
  });

  it('rotates the secret: a new one is shown and differs from the old', async () => {
    const created = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: URL_A });
    const rotated = await admin(purse, 'POST', `/v1/admin/webhook-endpoints/${created.body.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
  });

  it.each([
    ['a relative url', { url: '/hooks' }, 'URL_INVALID'],
    ['a non-http scheme', { url: 'ftp://example.com/x' }, 'URL_INVALID'],
    ['credentials in the url', { url: 'https://user:pw@example.com/x' }, 'URL_INVALID'],
    ['an unknown event type', { url: URL_A, events: ['wallet.exploded'] }, 'VALIDATION_ERROR'],
    ['an oversized description', { url: URL_A, description: 'x'.repeat(501) }, 'VALIDATION_ERROR'],
    ['a wrong type', { url: 42 }, 'VALIDATION_ERROR'],
    ['an unknown field', { url: URL_A, secret: 'mine' }, 'VALIDATION_ERROR'],
  ])('answers 400 {error, code} to %s and creates nothing', async (_name, body, code) => {
    const before = await purse.ctx.store.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const res = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.any(String), code });
    const after = await purse.ctx.store.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('answers 404 to an operator endpoint for a tenant that does not exist', async () => {
    const res = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: URL_A, tenantId: 'ten_01J00000000000000000000000' });
    expect(res.status).toBe(404);
  });
});

describe('tenant endpoints', () => {
  it('a tenant manages its own endpoints; another tenant gets 404 on every route', async () => {
    const created = await asKey(purse, tenantA.tenantKey, 'POST', '/v1/billing/webhook-endpoints', { url: URL_A, events: ['wallet.depleted'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tenantId: tenantA.tenantId, events: ['wallet.depleted'] });
    const id = created.body.id;
    const base = `/v1/billing/webhook-endpoints/${id}`;
    for (const [method, url, body] of [
      ['GET', base, undefined], ['PATCH', base, { enabled: false }], ['DELETE', base, undefined], ['POST', `${base}/rotate-secret`, undefined],
      ['GET', `${base}/deliveries`, undefined], ['POST', `${base}/test`, undefined],
    ] as const) {
      const res = await asKey(purse, tenantB.tenantKey, method, url, body);
      expect([method, url, res.status, res.body.code]).toEqual([method, url, 404, 'NOT_FOUND']);
    }
    const listB = await asKey(purse, tenantB.tenantKey, 'GET', '/v1/billing/webhook-endpoints');
    expect(listB.body.data).toEqual([]);
    const listA = await asKey(purse, tenantA.tenantKey, 'GET', '/v1/billing/webhook-endpoints');
    expect(listA.body.data.map((e: { id: string }) => e.id)).toEqual([id]);
    expect((await asKey(purse, tenantA.tenantKey, 'GET', base)).status).toBe(200);
  });

  it('a tenant does not see the operator endpoints made for it', async () => {
    const operator = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: URL_A, tenantId: tenantB.tenantId });
    expect((await asKey(purse, tenantB.tenantKey, 'GET', `/v1/billing/webhook-endpoints/${operator.body.id}`)).status).toBe(404);
  });

  it('a number-scoped key may not manage endpoints', async () => {
    const res = await asKey(purse, tenantA.numberKey, 'POST', '/v1/billing/webhook-endpoints', { url: URL_A });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
  });
});

describe('SSRF guard', () => {
  it.each(['http://127.0.0.1/x', 'http://localhost:8080/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://192.168.0.10/x'])(
    'refuses %s in production with 400 URL_NOT_ALLOWED', async (url) => {
      const prod = await startTestPurse({ PURSE_ENV: 'production', PURSE_ADMIN_KEY: 'pa_test_admin_key_0123456789abcdef', PURSE_MASTER_KEY: 'test-master-key-0123456789abcdef0123456789', PUBLIC_URL: 'https://purse.example.com', STRIPE_SECRET_KEY: 'sk_test_unused', STRIPE_WEBHOOK_SECRET: 'whsec_test_unused' }, { shareDatabaseOf: purse });
      try {
        const res = await admin(prod, 'POST', '/v1/admin/webhook-endpoints', { url });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('URL_NOT_ALLOWED');
      } finally {
        await prod.close();
      }
    });

  it('allows a loopback receiver outside production (tests and development)', async () => {
    expect((await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: 'http://127.0.0.1:1234/x' })).status).toBe(201);
  });
});
