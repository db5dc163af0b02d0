import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteRegistrar } from '../api/kit.ts';
import { admin, asKey, call, setupTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { BODY_LIMIT_BYTES } from './server.ts';

const adminAuth = { authorization: `Bearer ${TEST_SECRETS.adminKey}` };

// A route that fails the way a bug would, to prove nothing internal leaks out of a 500.
const explodingRoute: RouteRegistrar = (app) => {
  app.get('/test/explode', { config: { auth: { kind: 'public' } } }, async () => {
    throw new Error('db password is hunter2 at /srv/secret/path');
  });
};

let purse: TestPurse;
beforeAll(async () => {
  purse = await startTestPurse({}, { extraRoutes: [explodingRoute] });
});
afterAll(() => purse.close());

describe('error model', () => {
  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await call(purse, 'POST', '/v1/admin/tenants', { rawBody: '{"name": "acme",', headers: adminAuth });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Malformed JSON body', code: 'INVALID_JSON' });
  });

  it(`answers a body over ${BODY_LIMIT_BYTES} bytes with 413 PAYLOAD_TOO_LARGE and writes nothing`, async () => {
    const before = (await admin(purse, 'GET', '/v1/admin/tenants')).body.data.length;
    const res = await call(purse, 'POST', '/v1/admin/tenants', {
      body: { name: 'x'.repeat(BODY_LIMIT_BYTES), currency: 'BRL' },
      headers: adminAuth,
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'Payload too large', code: 'PAYLOAD_TOO_LARGE' });
    expect((await admin(purse, 'GET', '/v1/admin/tenants')).body.data.length).toBe(before);
  });

  it('answers an unknown route with a 404 JSON body', async () => {
    const res = await call(purse, 'GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found', code: 'NOT_FOUND' });
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await call(purse, 'POST', '/v1/admin/tenants', { rawBody: 'name=acme', headers: { ...adminAuth, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unexpected failure with 500 INTERNAL and a request id, leaking nothing', async () => {
    const res = await call(purse, 'GET', '/test/explode');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'Internal error', code: 'INTERNAL', requestId: res.headers['x-request-id'] });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(purse.logs()).toContain(String(res.headers['x-request-id']));
  });

  it('puts an x-request-id on every response, success or failure, but the liveness probe\'s', async () => {
    const ids = await Promise.all(['/readyz', '/nope', '/v1/billing/wallet'].map(async (url) => (await call(purse, 'GET', url)).headers['x-request-id']));
    for (const id of ids) expect(id).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('health', () => {
  it('reports liveness and database readiness', async () => {
    expect((await call(purse, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(purse, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
  });

  // Issue 26: the liveness probe pays none of the per-request tax (http/request-tax.ts).
  it('answers /healthz with no request id, no log line and no metrics sample, while /readyz has all three', async () => {
    const logsBefore = purse.logs().length;
    const live = await call(purse, 'GET', '/healthz');
    expect(live.status).toBe(200);
    expect(live.headers['x-request-id']).toBeUndefined();
    expect(purse.logs().length).toBe(logsBefore);
    const ready = await call(purse, 'GET', '/readyz');
    expect(ready.headers['x-request-id']).toMatch(/^req_/);
    expect(purse.logs().slice(logsBefore)).toContain(String(ready.headers['x-request-id']));
    const metrics = String((await call(purse, 'GET', '/metrics')).body);
    expect(metrics).toContain('route="/readyz"');
    expect(metrics).not.toContain('route="/healthz"');
  });
});

describe('secrets in logs', () => {
  it('never writes a key secret, the admin key or a signature into any log line', async () => {
    const t = await setupTenant(purse);
    await asKey(purse, t.tenantKey, 'GET', '/v1/billing/wallet');
    await asKey(purse, t.tenantKey, 'GET', '/v1/does-not-exist');
    await call(purse, 'GET', '/v1/billing/wallet', { headers: { 'x-api-key-id': t.tenantKeyId, 'x-timestamp': '1', 'x-signature': 'f'.repeat(64) } });
    await call(purse, 'GET', '/test/explode', { headers: { 'x-api-key': t.tenantKey } });
    const logs = purse.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [t.tenantKey, t.numberKey, TEST_SECRETS.adminKey, TEST_SECRETS.masterKey, 'f'.repeat(64)]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('request logs at trace level', () => {
  it('still redact credentials when every header is logged', async () => {
    const verbose = await startTestPurse({ LOG_LEVEL: 'trace' });
    try {
      const t = await setupTenant(verbose);
      await asKey(verbose, t.tenantKey, 'GET', '/v1/billing/wallet');
      expect(verbose.logs()).not.toContain(t.tenantKey);
      expect(verbose.logs()).not.toContain(TEST_SECRETS.adminKey);
    } finally {
      await verbose.close();
    }
  });
});
