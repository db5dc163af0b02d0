import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { rawRequest } from '../testing/raw-http.ts';
import { BODY_LIMIT_BYTES } from './server.ts';

let purse: TestPurse;
let baseUrl: string;
let tenant: TestTenant;
beforeAll(async () => {
  purse = await startTestPurse();
  baseUrl = await purse.app.listen({ port: 0, host: '127.0.0.1' });
  tenant = await setupTenant(purse);
});
afterAll(() => purse.close());

const adminAuth = `Bearer ${TEST_SECRETS.adminKey}`;
const REQUEST_ID = /^req_[A-Za-z0-9_-]{16}$/;

describe('text input with NUL or lone surrogates', () => {
  it.each([
    ['a NUL in an admin body field', '/v1/admin/tenants', { name: 'ac\u0000me', currency: 'BRL' }],
    ['a lone high surrogate in an admin body field', '/v1/admin/tenants', { name: 'ac\ud800me', currency: 'BRL' }],
    ['a lone low surrogate in an admin body field', '/v1/admin/tenants', { name: '\udc00', currency: 'BRL' }],
    ['a NUL in a nested id', '/v1/admin/tenants/ten_x/numbers', { name: 'n\u0000' }],
  ])('refuses %s with 400 VALIDATION_ERROR (TEXT_INVALID) and writes nothing', async (_label, url, body) => {
    const before = (await admin(purse, 'GET', '/v1/admin/tenants')).body.data.length;
    const res = await admin(purse, 'POST', url, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.details[0].code).toBe('TEXT_INVALID');
    expect((await admin(purse, 'GET', '/v1/admin/tenants')).body.data.length).toBe(before);
  });

  it('refuses a NUL in an object key of a tenant body', async () => {
    const res = await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: '1', metadata: { 'k\u0000': 'v' } }, { 'idempotency-key': 'nul-key-1' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.details[0].code).toBe('TEXT_INVALID');
  });

  it.each([
    ['an admin path parameter', '/v1/admin/tenants/ten%00x', adminAuth],
    ['a tenant path parameter', '/v1/billing/checkout/cto%00', undefined],
    ['a query string', '/v1/billing/transactions?cursor=a%00b', undefined],
    ['a lone surrogate in a path parameter', '/v1/admin/tenants/%ED%A0%80', adminAuth],
  ])('refuses %s holding a NUL or lone surrogate with a 400 and a Purse code', async (_label, url, auth) => {
    const headers: Record<string, string> = auth ? { authorization: auth } : { 'x-api-key': tenant.tenantKey };
    const res = await call(purse, 'GET', url, { headers });
    expect(res.status).toBe(400);
    expect(['VALIDATION_ERROR', 'MALFORMED_REQUEST']).toContain(res.body.code);
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
  });

  it('still accepts text with a proper surrogate pair (an emoji)', async () => {
    const res = await admin(purse, 'POST', '/v1/admin/tenants', { name: 'Acme \ud83d\ude00', currency: 'BRL' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Acme 😀');
  });
});

const json = (body: string) => `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
const auth = `Authorization: ${adminAuth}\r\n`;

describe('errors Fastify or Node produce before a route runs', () => {
  it.each([
    ['bad URL encoding', `GET /v1/admin/tenants/%E0%A4%A HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`, 400, 'MALFORMED_REQUEST'],
    ['an over-long path parameter', `GET /v1/admin/tenants/${'a'.repeat(500)} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`, 414, 'URI_TOO_LONG'],
    ['a malformed Content-Length', `POST /v1/admin/tenants HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 1x\r\nConnection: close\r\n\r\n{}`, 400, 'MALFORMED_REQUEST'],
    ['Content-Length and chunked together', `POST /v1/admin/tenants HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`, 400, 'MALFORMED_REQUEST'],
    ['oversized headers', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\nConnection: close\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a body over the limit', `POST /v1/admin/tenants HTTP/1.1\r\nHost: x\r\n${auth}${json('x'.repeat(BODY_LIMIT_BYTES + 1))}Connection: close\r\n\r\n${'x'.repeat(BODY_LIMIT_BYTES + 1)}`, 413, 'PAYLOAD_TOO_LARGE'],
    ['an unsupported media type', `POST /v1/admin/tenants HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['malformed JSON', `POST /v1/admin/tenants HTTP/1.1\r\nHost: x\r\n${auth}${json('{"a":')}Connection: close\r\n\r\n{"a":`, 400, 'INVALID_JSON'],
  ])('answers %s with a Purse code, never FST_', async (_label, request, status, code) => {
    const res = await rawRequest(baseUrl, request);
    expect(res.status).toBe(status);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toMatchObject({ code });
    expect(typeof body.error).toBe('string');
    expect(res.body).not.toContain('FST_');
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
    expect(res.headers['content-type']).toContain('application/json');
  });
});
