import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteRegistrar, errorResponses } from '../api/kit.ts';
import { ERROR_CODES, PurseError } from '../errors/purse-error.ts';
import { admin, asKey, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';

/** A documented route that declares NOT_FOUND and answers whatever code the query names. */
const driftingRoute: RouteRegistrar = (app) => {
  app.get('/test/drift', {
    config: { auth: { kind: 'public' } },
    schema: {
      summary: 'test only', querystring: Type.Object({ code: Type.String() }),
      response: { 200: Type.Object({ ok: Type.Boolean() }), ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => {
    throw new PurseError(request.query.code as keyof typeof ERROR_CODES);
  });
};

type Operation = { security?: unknown; responses: Record<string, { content?: { 'application/json'?: { schema?: any; example?: unknown } } }> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- OpenAPI schemas

let purse: TestPurse;
let operations: Array<[string, Operation]>;
let tenant: TestTenant;
beforeAll(async () => {
  purse = await startTestPurse({}, { extraRoutes: [driftingRoute] });
  const doc = (await call(purse, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
  operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]));
  tenant = await setupTenant(purse);
});
afterAll(() => purse.close());

const codesOf = (op: Operation, status: string): string[] => op.responses[status]?.content?.['application/json']?.schema?.properties?.code?.enum ?? [];

describe('each route documents its own error codes', () => {
  it('lists every error code under the status the closed list maps it to, with an example', () => {
    expect(operations.length).toBeGreaterThan(40);
    for (const [name, op] of operations) {
      expect(codesOf(op, '500'), name).toEqual(['INTERNAL']);
      for (const status of Object.keys(op.responses).filter((s) => Number(s) >= 400)) {
        const codes = codesOf(op, status);
        expect(codes.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const code of codes) {
          expect(Object.keys(ERROR_CODES), `${name} ${status}`).toContain(code);
          expect(ERROR_CODES[code as keyof typeof ERROR_CODES].status, `${name}: ${code}`).toBe(Number(status));
        }
        const media = op.responses[status]?.content?.['application/json'];
        expect(media?.example, `${name} ${status}`).toMatchObject({ code: codes[0] });
        expect(Value.Check(media?.schema, media?.example), `${name} ${status}`).toBe(true);
      }
    }
  });

  it('gives tenant routes the auth codes, body routes the parse codes, and each route only the codes its own work can raise', () => {
    const op = (name: string) => operations.find(([n]) => n === name)?.[1] as Operation;
    const wallet = op('GET /v1/billing/wallet');
    expect(codesOf(wallet, '401')).toEqual(['UNAUTHORIZED']);
    expect(codesOf(wallet, '403')).toEqual(['NUMBER_SCOPE_NOT_ALLOWED', 'INSUFFICIENT_SCOPE', 'TENANT_DISABLED']);
    expect(codesOf(wallet, '429')).toEqual(['RATE_LIMITED']);
    expect(codesOf(wallet, '400')).toEqual(['VALIDATION_ERROR']);
    expect(wallet.responses['404']).toBeUndefined();
    expect(wallet.responses['415']).toBeUndefined();

    const usage = op('POST /v1/billing/usage');
    expect(codesOf(usage, '402')).toEqual(['INSUFFICIENT_FUNDS']);
    expect(codesOf(usage, '409')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(codesOf(usage, '400')).toEqual(expect.arrayContaining(['IDEMPOTENCY_KEY_REQUIRED', 'AMOUNT_INVALID', 'INVALID_JSON', 'VALIDATION_ERROR']));
    expect(codesOf(usage, '415')).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    expect(codesOf(usage, '413')).toEqual(['PAYLOAD_TOO_LARGE']);

    const tenants = op('GET /v1/admin/tenants');
    expect(codesOf(tenants, '401')).toEqual(['UNAUTHORIZED']);
    expect(tenants.responses['403']).toBeUndefined();
    expect(tenants.responses['429']).toBeUndefined();
  });

  it('shows an example of the success body on the main routes, one the schema accepts', () => {
    for (const [name, status] of [
      ['GET /v1/billing/wallet', '200'], ['POST /v1/billing/usage', '201'], ['POST /v1/billing/holds', '201'],
      ['POST /v1/billing/holds/{id}/capture', '200'], ['POST /v1/billing/checkout', '200'], ['GET /v1/billing/checkout/{orderId}', '200'],
      ['GET /v1/billing/transactions', '200'], ['GET /v1/billing/auto-topup', '200'], ['GET /v1/billing/auto-topup/attempts', '200'],
    ] as const) {
      const media = operations.find(([n]) => n === name)?.[1].responses[status]?.content?.['application/json'];
      expect(media?.example, name).toBeTypeOf('object');
      expect(Value.Check(media?.schema, media?.example), `${name}: the example matches the schema`).toBe(true);
    }
  });
});

describe('in tests, a route answering a code it does not document', () => {
  it('passes a declared code through unchanged', async () => {
    expect(operations.map(([n]) => n)).toContain('GET /test/drift');
    const res = await call(purse, 'GET', '/test/drift?code=NOT_FOUND');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('turns an undeclared code into a 500 that names the route and the code', async () => {
    const res = await call(purse, 'GET', '/test/drift?code=CONFLICT');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 'INTERNAL', error: 'Undeclared error: GET /test/drift answered 409 CONFLICT, which its errorResponses do not list' });
  });

  it('accepts the auth and parse codes every route of its kind answers', async () => {
    expect((await asKey(purse, 'ps_not_a_key', 'GET', '/v1/billing/wallet')).body.code).toBe('UNAUTHORIZED');
    expect((await asKey(purse, tenant.numberKey, 'GET', '/v1/billing/wallet')).body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    const badJson = await call(purse, 'POST', '/v1/billing/usage', { rawBody: '{"amount":', headers: { 'x-api-key': tenant.tenantKey, 'idempotency-key': 'k1' } });
    expect(badJson.body.code).toBe('INVALID_JSON');
    const wrongType = await call(purse, 'POST', '/v1/admin/tenants', { rawBody: 'name=x', headers: { authorization: `Bearer ${TEST_SECRETS.adminKey}`, 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await admin(purse, 'GET', '/v1/admin/tenants/ten_missing')).body.code).toBe('NOT_FOUND');
  });
});
