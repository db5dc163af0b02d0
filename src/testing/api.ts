import type { LightMyRequestResponse } from 'fastify';
import { TEST_SECRETS, type TestPurse } from './harness.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Call {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  headers: LightMyRequestResponse['headers'];
}

export async function call(purse: TestPurse, method: Method, url: string, opts: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}): Promise<Call> {
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  const res = await purse.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
  let body: unknown = res.body;
  if (String(res.headers['content-type'] ?? '').includes('json')) body = res.json();
  return { status: res.statusCode, body, headers: res.headers };
}

export function admin(purse: TestPurse, method: Method, url: string, body?: unknown): Promise<Call> {
  return call(purse, method, url, { body, headers: { authorization: `Bearer ${TEST_SECRETS.adminKey}` } });
}

export function asKey(purse: TestPurse, secret: string, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> {
  return call(purse, method, url, { body, headers: { 'x-api-key': secret, ...headers } });
}

export interface TestTenant {
  tenantId: string;
  numberId: string;
  tenantKey: string;
  tenantKeyId: string;
  numberKey: string;
  numberKeyId: string;
}

/** A tenant with a number, a full tenant key and a number key, created through the admin API. */
export async function setupTenant(purse: TestPurse, currency = 'BRL'): Promise<TestTenant> {
  const tenant = await admin(purse, 'POST', '/v1/admin/tenants', { name: 'Acme', currency });
  expectStatus(tenant, 201);
  const number = await admin(purse, 'POST', `/v1/admin/tenants/${tenant.body.id}/numbers`, { name: '+5511999990000' });
  expectStatus(number, 201);
  const tKey = await admin(purse, 'POST', `/v1/admin/tenants/${tenant.body.id}/keys`, { scope: 'tenant' });
  expectStatus(tKey, 201);
  const nKey = await admin(purse, 'POST', `/v1/admin/tenants/${tenant.body.id}/keys`, { scope: 'number', numberId: number.body.id });
  expectStatus(nKey, 201);
  return {
    tenantId: tenant.body.id,
    numberId: number.body.id,
    tenantKey: tKey.body.secret,
    tenantKeyId: tKey.body.id,
    numberKey: nKey.body.secret,
    numberKeyId: nKey.body.id,
  };
}

function expectStatus(res: Call, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}
