import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, call, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

let purse: TestPurse;
beforeAll(async () => {
  purse = await startTestPurse();
});
afterAll(() => purse.close());

describe('admin authentication', () => {
  it.each([
    ['no authorization header', {}],
    ['a wrong admin key', { authorization: 'Bearer pa_wrong_wrong_wrong_wrong_wrong' }],
    ['a tenant-style x-api-key', { 'x-api-key': 'ps_anything' }],
    ['a Basic scheme', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
  ])('rejects %s with 401 UNAUTHORIZED', async (_name, headers) => {
    const res = await call(purse, 'POST', '/v1/admin/tenants', { body: { name: 'x', currency: 'BRL' }, headers: headers as Record<string, string> });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Unauthorized', code: 'UNAUTHORIZED' });
  });

  it('does not accept a tenant key on the admin API', async () => {
    const t = await setupTenant(purse);
    const res = await call(purse, 'GET', '/v1/admin/tenants', { headers: { authorization: `Bearer ${t.tenantKey}` } });
    expect(res.status).toBe(401);
  });
});

describe('POST /v1/admin/tenants', () => {
  it('creates a tenant with an upper-cased ISO currency and a zero wallet', async () => {
    const res = await admin(purse, 'POST', '/v1/admin/tenants', { name: ' Acme ', currency: 'brl' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Acme', currency: 'BRL', status: 'active' });
    expect(res.body.id).toMatch(/^ten_[0-9A-Z]{26}$/);
    expect((await admin(purse, 'GET', `/v1/admin/tenants/${res.body.id}`)).body).toEqual(res.body);
  });

  it.each([
    [{ name: 'x', currency: 'XYZ' }, 'CURRENCY_INVALID'],
    [{ name: 'x', currency: 'BR' }, 'VALIDATION_ERROR'],
    [{ name: 'x', currency: 12 }, 'VALIDATION_ERROR'],
    [{ name: '', currency: 'BRL' }, 'VALIDATION_ERROR'],
    [{ name: '   ', currency: 'BRL' }, 'VALIDATION_ERROR'],
    [{ currency: 'BRL' }, 'VALIDATION_ERROR'],
    [{ name: 'x', currency: 'BRL', extra: true }, 'VALIDATION_ERROR'],
    [[], 'VALIDATION_ERROR'],
    ['a string', 'VALIDATION_ERROR'],
    [null, 'VALIDATION_ERROR'],
  ])('rejects %j with 400 %s and creates nothing', async (body, code) => {
    const before = (await admin(purse, 'GET', '/v1/admin/tenants')).body.data.length;
    const res = await admin(purse, 'POST', '/v1/admin/tenants', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(res.body.error).toBe('Validation error');
    expect((await admin(purse, 'GET', '/v1/admin/tenants')).body.data.length).toBe(before);
  });

  it('names the offending field in details', async () => {
    const res = await admin(purse, 'POST', '/v1/admin/tenants', { name: 'x', currency: 'BRL', colour: 'red' });
    expect(res.body.details[0].field).toBe('body.colour');
  });
});

describe('numbers, and the keys created for them', () => {
  it('creates a number under a tenant and 404s for an unknown tenant', async () => {
    const t = await setupTenant(purse);
    const ok = await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/numbers`, { name: 'support line' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ tenantId: t.tenantId, name: 'support line' });
    const missing = await admin(purse, 'POST', '/v1/admin/tenants/ten_nope/numbers', { name: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it('returns the secret once at creation and never in a listing', async () => {
    const t = await setupTenant(purse);
    const created = await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/keys`, { scope: 'tenant' });
    expect(created.body.secret).toMatch(/^ps_[A-Za-z0-9_-]{43}$/);
    expect(created.body.permissions).toEqual(['billing:read', 'billing:write', 'usage:write']);
    expect(created.headers['cache-control']).toBe('no-store');
    const listing = await admin(purse, 'GET', `/v1/admin/tenants/${t.tenantId}/keys`);
    expect(JSON.stringify(listing.body)).not.toContain(created.body.secret);
    expect(listing.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(listing.body.data.find((k: { id: string }) => k.id === created.body.id).hint).toBe(`ps_…${created.body.secret.slice(-4)}`);
  });

  it('gives a number-scoped key only usage:write by default', async () => {
    const t = await setupTenant(purse);
    const key = await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/keys`, { scope: 'number', numberId: t.numberId });
    expect(key.body).toMatchObject({ scope: 'number', numberId: t.numberId, permissions: ['usage:write'] });
  });
});

describe('key validation and revocation', () => {
  it.each([
    ['a number key without numberId', { scope: 'number' }],
    ['a tenant key with a numberId', { scope: 'tenant', numberId: 'num_x' }],
    ['an unknown permission', { scope: 'tenant', permissions: ['billing:admin'] }],
    ['billing:write on a number key', { scope: 'number', numberId: '$NUMBER', permissions: ['billing:write'] }],
    ['an empty permission list', { scope: 'tenant', permissions: [] }],
    ['an unknown scope', { scope: 'global' }],
  ])('rejects %s with 400', async (_name, body) => {
    const t = await setupTenant(purse);
    const withNumber = JSON.parse(JSON.stringify(body).replace('$NUMBER', t.numberId));
    const res = await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/keys`, withNumber);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it("refuses to bind a key to another tenant's number", async () => {
    const a = await setupTenant(purse);
    const b = await setupTenant(purse);
    const res = await admin(purse, 'POST', `/v1/admin/tenants/${a.tenantId}/keys`, { scope: 'number', numberId: b.numberId });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('numberId');
  });

  it('revokes idempotently and 404s for an unknown key', async () => {
    const t = await setupTenant(purse);
    const first = await admin(purse, 'DELETE', `/v1/admin/keys/${t.tenantKeyId}`);
    const second = await admin(purse, 'DELETE', `/v1/admin/keys/${t.tenantKeyId}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.revokedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(second.body.revokedAt).toBe(first.body.revokedAt);
    expect((await admin(purse, 'DELETE', '/v1/admin/keys/key_unknown')).status).toBe(404);
  });
});
