import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { signRequest } from './signature.ts';

const UNAUTHORIZED = { error: 'Unauthorized', code: 'UNAUTHORIZED' };
const NUMBER_SCOPE = { error: 'Number-scoped keys cannot call tenant endpoints', code: 'NUMBER_SCOPE_NOT_ALLOWED' };
const WALLET = '/v1/billing/wallet';

let purse: TestPurse;
let acme: TestTenant;
let nowMs = Date.UTC(2026, 10, 22, 12, 0, 0);

beforeAll(async () => {
  purse = await startTestPurse({}, { nowMs: () => nowMs });
  acme = await setupTenant(purse);
});
afterAll(() => purse.close());

function signedHeaders(keyId: string, secret: string, method: string, path: string, body = '', timestamp = String(Math.floor(nowMs / 1000))) {
  return { 'x-api-key-id': keyId, 'x-timestamp': timestamp, 'x-signature': signRequest(secret, timestamp, method, path, body) };
}

describe('x-api-key', () => {
  it('accepts a valid tenant key and answers the wallet', async () => {
    const res = await asKey(purse, acme.tenantKey, 'GET', WALLET);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ currency: 'BRL', balance: 0, held: 0, available: 0, autoTopup: null, expiring: null });
  });

  it.each([
    ['no credentials at all', {}],
    ['an empty x-api-key', { 'x-api-key': '' }],
    ['a malformed key', { 'x-api-key': 'not-a-key' }],
    ['an unknown but well-formed key', { 'x-api-key': 'ps_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['a bearer token instead of a key', { authorization: 'Bearer ps_whatever' }],
  ])('rejects %s with 401 UNAUTHORIZED', async (_name, headers) => {
    const res = await call(purse, 'GET', WALLET, { headers: headers as Record<string, string> });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it('rejects a revoked key with 401 from the moment it is revoked', async () => {
    const key = await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/keys`, { scope: 'tenant' });
    expect((await asKey(purse, key.body.secret, 'GET', WALLET)).status).toBe(200);
    const revoked = await admin(purse, 'DELETE', `/v1/admin/keys/${key.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const res = await asKey(purse, key.body.secret, 'GET', WALLET);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });
});

describe('signed requests (x-api-key-id)', () => {
  it('accepts a correct signature', async () => {
    const res = await call(purse, 'GET', WALLET, { headers: signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', WALLET) });
    expect(res.status).toBe(200);
  });

  it('signs the path with its query string', async () => {
    nowMs += 1000;
    const path = '/v1/billing/wallet?probe=1';
    const res = await call(purse, 'GET', path, { headers: signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', path) });
    expect(res.status).toBe(200);
    const stripped = await call(purse, 'GET', path, { headers: signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', WALLET, '', String(Math.floor(nowMs / 1000) + 1)) });
    expect(stripped.status).toBe(401);
  });

  it('rejects a replayed signature with 401', async () => {
    nowMs += 1000;
    const headers = signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', WALLET);
    expect((await call(purse, 'GET', WALLET, { headers })).status).toBe(200);
    const replay = await call(purse, 'GET', WALLET, { headers });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(UNAUTHORIZED);
  });

  const cases: Array<[string, () => Record<string, string>]> = [
    ['a signature made with the wrong secret', () => signedHeaders(acme.tenantKeyId, acme.numberKey, 'GET', WALLET)],
    ['a signature over another path', () => signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', '/v1/billing/other')],
    ['a signature over another method', () => signedHeaders(acme.tenantKeyId, acme.tenantKey, 'POST', WALLET)],
    ['a timestamp 301 s in the past', () => signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', WALLET, '', String(Math.floor(nowMs / 1000) - 301))],
    ['a timestamp 301 s in the future', () => signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', WALLET, '', String(Math.floor(nowMs / 1000) + 301))],
    ['a non-numeric timestamp', () => ({ ...signedHeaders(acme.tenantKeyId, acme.tenantKey, 'GET', WALLET), 'x-timestamp': 'yesterday' })],
    ['a missing signature', () => ({ 'x-api-key-id': acme.tenantKeyId, 'x-timestamp': String(Math.floor(nowMs / 1000)) })],
    ['an unknown key id', () => signedHeaders('key_01JD0000000000000000000000', acme.tenantKey, 'GET', WALLET)],
  ];
  it.each(cases)('rejects %s with 401', async (_name, headers) => {
    nowMs += 1000;
    const res = await call(purse, 'GET', WALLET, { headers: headers() });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });
});

describe('scope and permissions', () => {
  it('rejects a number-scoped key on a tenant endpoint with 403 NUMBER_SCOPE_NOT_ALLOWED', async () => {
    const res = await asKey(purse, acme.numberKey, 'GET', WALLET);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(NUMBER_SCOPE);
  });

  it('rejects a tenant key without billing:read with 403 INSUFFICIENT_SCOPE', async () => {
    const key = await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/keys`, { scope: 'tenant', permissions: ['usage:write'] });
    expect(key.status).toBe(201);
    const res = await asKey(purse, key.body.secret, 'GET', WALLET);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
  });

  it("answers each tenant's own wallet: another tenant's key never sees it", async () => {
    const other = await setupTenant(purse, 'USD');
    const mine = await asKey(purse, acme.tenantKey, 'GET', WALLET);
    const theirs = await asKey(purse, other.tenantKey, 'GET', WALLET);
    expect(mine.body.currency).toBe('BRL');
    expect(theirs.body.currency).toBe('USD');
  });

  it('rejects keys of a disabled tenant with 403 TENANT_DISABLED, and accepts them again once re-enabled', async () => {
    const t = await setupTenant(purse);
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/disable`)).body.status).toBe('disabled');
    expect((await asKey(purse, t.tenantKey, 'GET', WALLET)).body.code).toBe('TENANT_DISABLED');
    await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/enable`);
    expect((await asKey(purse, t.tenantKey, 'GET', WALLET)).status).toBe(200);
  });
});

describe('stored rows fail closed', () => {
  it.each([
    ['an unknown scope', { scope: 'admin' }],
    ['a scope in another case', { scope: 'Tenant' }],
    ['a number scope without its number', { scope: 'number', number_id: null }],
  ])('a key with %s authenticates as nothing (401), never as a tenant key', async (_name, corrupt) => {
    const t = await setupTenant(purse);
    await purse.ctx.store.db.updateTable('api_keys').set(corrupt).where('id', '=', t.numberKeyId).execute();
    const res = await asKey(purse, t.numberKey, 'GET', WALLET);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
    expect(purse.logs()).toContain('API key has an unknown scope');
  });

  it('a tenant whose stored status is unknown reads as disabled and its keys are refused', async () => {
    const t = await setupTenant(purse);
    await purse.ctx.store.db.updateTable('tenants').set({ status: 'suspended' }).where('id', '=', t.tenantId).execute();
    expect((await admin(purse, 'GET', `/v1/admin/tenants/${t.tenantId}`)).body.status).toBe('disabled');
    expect((await asKey(purse, t.tenantKey, 'GET', WALLET)).body.code).toBe('TENANT_DISABLED');
  });
});
