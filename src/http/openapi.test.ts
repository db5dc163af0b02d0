import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../events/catalog.ts';
import { call } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

let purse: TestPurse;
let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- an OpenAPI document
beforeAll(async () => {
  purse = await startTestPurse();
  doc = (await call(purse, 'GET', '/openapi.json')).body;
});
afterAll(() => purse.close());

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

function operations(): Array<[string, string, any]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => [m, path, item[m]] as [string, string, unknown]),
  );
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every registered route', () => {
    const documented = new Set(operations().map(([m, p]) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    const registered = purse.app.registeredRoutes;
    expect(registered).toContain('GET /v1/billing/wallet');
    expect([...documented].sort()).toEqual([...new Set(registered)].sort());
  });

  it('gives every operation its error responses, and tenant routes 401/403/429', () => {
    for (const [method, path, op] of operations()) {
      const statuses = Object.keys(op.responses);
      expect(statuses, `${method} ${path}`).toContain('500');
      if (path.startsWith('/v1/billing')) {
        for (const s of ['401', '403', '429']) expect(statuses, `${method} ${path}`).toContain(s);
        expect(op.security, `${method} ${path}`).toEqual([{ apiKey: [] }, { apiKeyId: [] }]);
      }
      if (path.startsWith('/v1/admin')) expect(statuses, `${method} ${path}`).toContain('401');
      expect(op.responses['500'].content['application/json'].schema.properties.code.enum).toEqual(['INTERNAL']);
    }
  });
});

describe('/docs', () => {
  it('serves the Scalar reference page, every asset from this server, and a CSP that allows no other origin', async () => {
    const res = await call(purse, 'GET', '/docs');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('text/html');
    expect(res.body).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(res.body).toContain('<title>Purse API reference</title>');
    expect(res.body).not.toMatch(/swagger/i);
    expect(res.body).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    const assets = [...(res.body as string).matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.some((a) => /^\/assets\/scalar-[0-9a-f]{16}\.js$/.test(a))).toBe(true);
    for (const asset of assets) {
      expect(asset, asset).toMatch(/^\/assets\/[a-z-]+-[0-9a-f]{16}\.(js|css)$/);
      expect((await purse.app.inject({ method: 'GET', url: asset })).statusCode, asset).toBe(200);
    }
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
  });

  it('points Scalar at /openapi.json, read-only, with no font, telemetry or proxy from elsewhere', async () => {
    const res = await call(purse, 'GET', '/docs');
    const attribute = /data-configuration="([^"]*)"/.exec(res.body as string)?.[1] ?? '';
    const configuration = JSON.parse(attribute.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&amp;', '&'));
    expect(configuration).toMatchObject({ url: '/openapi.json', withDefaultFonts: false, telemetry: false, hideClientButton: true });
    expect(configuration.proxyUrl).toBeUndefined();
    expect((await call(purse, 'GET', '/docs/')).body).toBe(res.body);
  });
});

describe('the outgoing events in /openapi.json', () => {
  it('publishes one webhook per catalog type with the envelope and its data shape', async () => {
    const res = await purse.app.inject({ method: 'GET', url: '/openapi.json' });
    const webhooks = res.json().webhooks as Record<string, { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } } }>;
    expect(Object.keys(webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    const low = webhooks['wallet.low_balance']?.post.requestBody.content['application/json'].schema;
    expect(Object.keys(low?.properties ?? {})).toEqual(['id', 'type', 'createdAt', 'tenantId', 'data']);
    expect(Object.keys((low?.properties.data as { properties: object }).properties)).toEqual(['currency', 'balance', 'held', 'available', 'lowBalance']);
  });
});
