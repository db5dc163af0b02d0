import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { operationIdOf } from './server.ts';

describe('OpenAPI operationIds', () => {
  let purse: TestPurse;
  beforeAll(async () => {
    purse = await startTestPurse();
  });
  afterAll(() => purse.close());

  it('every documented operation has one, unique, in snake case', () => {
    const doc = purse.app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids.length).toBe(purse.app.registeredRoutes.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(_[a-z0-9]+)+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['GET', '/v1/admin/tenants/:tenantId/keys', 'get_admin_tenant_keys'],
    ['DELETE', '/v1/admin/keys/:keyId', 'delete_admin_key'],
    ['GET', '/v1/billing/payment-methods', 'get_billing_payment_methods'],
    ['GET', '/healthz', 'get_healthz'],
  ])('derives %s %s as %s when a route names none', (method, url, id) => {
    expect(operationIdOf(method, url)).toBe(id);
  });
});
