import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, call } from '../testing/api.ts';
import { type Rig, startRig } from '../testing/stripe-rig.ts';

/**
 * The seed contract (shared/seeds/000_…): POST /v1/billing/checkout, field by field. The expected shapes
 * below are the project's own reading of that document, not text copied from it.
 */
const SEED_ERRORS = {
  400: { error: 'Validation error' },
  401: { error: 'Unauthorized', code: 'UNAUTHORIZED' },
  403: { error: 'Number-scoped keys cannot call tenant endpoints', code: 'NUMBER_SCOPE_NOT_ALLOWED' },
  429: { error: 'Too many requests', code: 'RATE_LIMITED' },
};

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ env: { ALLOWED_REDIRECT_ORIGINS: 'https://app.acme.com,http://localhost:8080' } });
});
afterAll(() => rig.close());

function checkout(body: unknown, headers: Record<string, string> = {}) {
  return asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', body, headers);
}

describe('200 response', () => {
  it('has exactly url, purpose, orderId, amount (a JSON number), currency (upper-case) — plus expiresAt', async () => {
    const res = await checkout({ purpose: 'wallet_topup', amount: 50 });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['amount', 'currency', 'expiresAt', 'orderId', 'purpose', 'url']);
    expect(typeof res.body.url).toBe('string');
    expect(res.body.url).toMatch(/\/c\/pay\/cs_test_/);
    expect(res.body.purpose).toBe('wallet_topup');
    expect(res.body.orderId).toMatch(/^cto_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.body.amount).toBe(50);
    expect(typeof res.body.amount).toBe('number');
    expect(res.body.currency).toBe('BRL');
  });

  it.each([
    ['50', 50], [50, 50], ['10.5', 10.5], [10.5, 10.5], ['10.50', 10.5], ['0010', 10], ['4999.99', 4999.99],
  ])('accepts amount %j and echoes it as %j', async (amount, echoed) => {
    const res = await checkout({ purpose: 'wallet_topup', amount });
    expect(res.status).toBe(200);
    expect(res.body.amount).toBe(echoed);
  });

  it('answers add_card without an amount', async () => {
    const res = await checkout({ purpose: 'add_card' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['currency', 'expiresAt', 'orderId', 'purpose', 'url']);
    expect(res.body.purpose).toBe('add_card');
  });
});

describe('400 responses carry "Validation error" and a machine code', () => {
  it.each([
    [{}, 'PURPOSE_INVALID'],
    [{ purpose: 'donate', amount: 5 }, 'PURPOSE_INVALID'],
    [{ purpose: 7, amount: 5 }, 'PURPOSE_INVALID'],
    [{ purpose: 'wallet_topup' }, 'AMOUNT_REQUIRED'],
    [{ purpose: 'wallet_topup', amount: null }, 'AMOUNT_REQUIRED'],
    [{ purpose: 'wallet_topup', amount: '' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: '1e3' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: '-5' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: '+5' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: '1,000' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: ' 50' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: 'NaN' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: 'Infinity' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: '10.005' }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: 10.005 }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: 1e21 }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: 0 }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: true }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: [5] }, 'AMOUNT_INVALID'],
    [{ purpose: 'wallet_topup', amount: '0.01' }, 'AMOUNT_BELOW_MINIMUM'],
    [{ purpose: 'wallet_topup', amount: '1000000' }, 'AMOUNT_ABOVE_MAXIMUM'],
    [{ purpose: 'add_card', amount: 5 }, 'AMOUNT_NOT_ALLOWED'],
    [{ purpose: 'wallet_topup', amount: 5, successUrl: 'not a url' }, 'URL_INVALID'],
    [{ purpose: 'wallet_topup', amount: 5, successUrl: 'javascript:alert(1)' }, 'URL_INVALID'],
    [{ purpose: 'wallet_topup', amount: 5, cancelUrl: 'https://user:pw@app.acme.com/x' }, 'URL_INVALID'],
    [{ purpose: 'wallet_topup', amount: 5, successUrl: 'https://evil.example/phish' }, 'URL_NOT_ALLOWED'],
    [{ purpose: 'wallet_topup', amount: 5, cancelUrl: 'https://app.acme.com.evil.example/' }, 'URL_NOT_ALLOWED'],
    [{ purpose: 'wallet_topup', amount: 5, successUrl: 5 }, 'URL_INVALID'],
    [{ purpose: 'wallet_topup', amount: 5, colour: 'red' }, 'VALIDATION_ERROR'],
    [[], 'VALIDATION_ERROR'],
  ])('%j → 400 %s, and no order is written', async (body, code) => {
    const before = await countOrders();
    const res = await checkout(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ...SEED_ERRORS[400], code });
    expect(await countOrders()).toBe(before);
  });

  it('takes allow-listed success and cancel URLs as given', async () => {
    const res = await checkout({ purpose: 'wallet_topup', amount: 5, successUrl: 'https://app.acme.com/billing/ok', cancelUrl: 'https://app.acme.com/billing' });
    expect(res.status).toBe(200);
    const order = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', `/v1/billing/checkout/${res.body.orderId}`)).body;
    expect(order.successUrl).toBe('https://app.acme.com/billing/ok');
    expect(order.cancelUrl).toBe('https://app.acme.com/billing');
  });

  it('defaults the return pages to /billing?topup=success|cancelled&order=…', async () => {
    const res = await checkout({ purpose: 'wallet_topup', amount: 5 });
    const order = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', `/v1/billing/checkout/${res.body.orderId}`)).body;
    expect(order.successUrl).toBe(`http://localhost:8080/billing?topup=success&order=${res.body.orderId}`);
    expect(order.cancelUrl).toBe(`http://localhost:8080/billing?topup=cancelled&order=${res.body.orderId}`);
  });
});

describe('401, 403 and 429 bodies', () => {
  it('401 for a missing key', async () => {
    const res = await call(rig.purse, 'POST', '/v1/billing/checkout', { body: { purpose: 'wallet_topup', amount: 50 } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(SEED_ERRORS[401]);
  });

  it('403 NUMBER_SCOPE_NOT_ALLOWED for a number-scoped key', async () => {
    const res = await asKey(rig.purse, rig.tenant.numberKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 50 });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(SEED_ERRORS[403]);
  });

  it('403 INSUFFICIENT_SCOPE for a tenant key without billing:write', async () => {
    const key = await admin(rig.purse, 'POST', `/v1/admin/tenants/${rig.tenant.tenantId}/keys`, { scope: 'tenant', permissions: ['billing:read'] });
    const res = await asKey(rig.purse, key.body.secret, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 50 });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('429 RATE_LIMITED with Retry-After past the per-key budget', async () => {
    const limited = await startRig({ env: { RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const send = () => asKey(limited.purse, limited.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: 50 });
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(200);
      const res = await send();
      expect(res.status).toBe(429);
      expect(res.body).toEqual(SEED_ERRORS[429]);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});

describe('OpenAPI operation', () => {
  it('documents the seed operation: id, security, request fields and every status', async () => {
    const doc = (await call(rig.purse, 'GET', '/openapi.json')).body;
    const op = doc.paths['/v1/billing/checkout'].post;
    expect(op.operationId).toBe('post_billing_checkout');
    expect(op.security).toEqual([{ apiKey: [] }, { apiKeyId: [] }]);
    const schema = op.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['purpose']);
    expect(Object.keys(schema.properties).sort()).toEqual(['amount', 'cancelUrl', 'purpose', 'successUrl']);
    for (const status of ['200', '400', '401', '403', '429']) expect(Object.keys(op.responses)).toContain(status);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(doc.components.securitySchemes.apiKeyId).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key-id' });
  });
});

async function countOrders(): Promise<number> {
  const rows = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', rig.tenant.tenantId).execute();
  return rows.length;
}
