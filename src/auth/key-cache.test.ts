import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { AUTH_CACHE_TTL_MS } from './authenticate.ts';

/** The key cache (authenticate.ts): exact on the instance that changes a key, bounded on the others. */
const WALLET = '/v1/billing/wallet';
let nowMs = Date.UTC(2026, 10, 22, 12, 0, 0);
let first: TestPurse;
let second: TestPurse;

beforeAll(async () => {
  first = await startTestPurse({}, { nowMs: () => nowMs });
  second = await startTestPurse({}, { nowMs: () => nowMs, shareDatabaseOf: first });
});

afterAll(async () => {
  await second?.close();
  await first?.close();
});

async function newKey(purse: TestPurse, tenantId: string): Promise<{ id: string; secret: string }> {
  const res = await admin(purse, 'POST', `/v1/admin/tenants/${tenantId}/keys`, { scope: 'tenant' });
  expect(res.status).toBe(201);
  return res.body;
}

describe('API key cache', () => {
  it('a key revoked on another instance stops working there at once and here within AUTH_CACHE_TTL_MS', async () => {
    const tenant = await setupTenant(first);
    const key = await newKey(first, tenant.tenantId);
    expect((await asKey(first, key.secret, 'GET', WALLET)).status).toBe(200);
    expect((await admin(second, 'DELETE', `/v1/admin/keys/${key.id}`)).status).toBe(200);
    expect((await asKey(second, key.secret, 'GET', WALLET)).status).toBe(401);
    // This instance cannot see the other's write; its cached key lives out its time bound, no longer.
    expect((await asKey(first, key.secret, 'GET', WALLET)).status).toBe(200);
    nowMs += AUTH_CACHE_TTL_MS;
    expect((await asKey(first, key.secret, 'GET', WALLET)).status).toBe(401);
  });

  it('a tenant disabled and enabled again on this instance is refused and accepted at once', async () => {
    const tenant = await setupTenant(first);
    const key = await newKey(first, tenant.tenantId);
    expect((await asKey(first, key.secret, 'GET', WALLET)).status).toBe(200);
    await admin(first, 'POST', `/v1/admin/tenants/${tenant.tenantId}/disable`);
    expect((await asKey(first, key.secret, 'GET', WALLET)).body.code).toBe('TENANT_DISABLED');
    await admin(first, 'POST', `/v1/admin/tenants/${tenant.tenantId}/enable`);
    expect((await asKey(first, key.secret, 'GET', WALLET)).status).toBe(200);
  });
});
