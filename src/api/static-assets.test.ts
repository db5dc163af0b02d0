import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { IMMUTABLE_CACHE_CONTROL, StaticAsset, defineAsset } from './static-assets.ts';

/**
 * Assets at content-hashed URLs (issue 24): a year of immutable caching, compressed once, a new URL when the
 * bytes change; the pages link them; /openapi.json compressed once too.
 */
const SHEET = `body{margin:0}\n${'.row{display:flex;gap:.5rem}\n'.repeat(200)}`;
const sheet = defineAsset('test-sheet', 'css', 'text/css; charset=utf-8', () => SHEET);
let purse: TestPurse;

beforeAll(async () => {
  purse = await startTestPurse();
});
afterAll(() => purse.close());

const get = (url: string, headers: Record<string, string> = {}) => purse.app.inject({ method: 'GET', url, headers });

describe('/assets/<name>-<hash>.<ext>', () => {
  it('is cached for a year as immutable and sent brotli, gzip or plain as the browser accepts', async () => {
    expect(sheet.url).toMatch(/^\/assets\/test-sheet-[0-9a-f]{16}\.css$/);
    const br = await get(sheet.url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.statusCode).toBe(200);
    expect(br.headers['cache-control']).toBe(IMMUTABLE_CACHE_CONTROL);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(String(br.headers.vary)).toContain('accept-encoding');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(SHEET);
    const gz = await get(sheet.url, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SHEET);
    const plain = await get(sheet.url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SHEET);
  });

  it('answers 304 to a browser that revalidates the same version', async () => {
    const first = await get(sheet.url);
    const again = await get(sheet.url, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  it('gives changed bytes a new URL, the same bytes the same URL, and answers 404 to any other version', async () => {
    const changed = new StaticAsset('test-sheet', 'css', 'text/css', () => `${SHEET}.new{}`);
    const same = new StaticAsset('test-sheet', 'css', 'text/css', () => SHEET);
    expect(changed.url).not.toBe(sheet.url);
    expect(same.url).toBe(sheet.url);
    // The server holds the current version only: the changed file's URL (not registered) and an old one are unknown.
    expect((await get(changed.url)).statusCode).toBe(404);
    expect((await get('/assets/test-sheet-0000000000000000.css')).statusCode).toBe(404);
    expect((await get('/assets/nothing-0000000000000000.js')).statusCode).toBe(404);
    expect((await get('/assets/..%2Fpackage.json')).statusCode).toBe(404);
  });

  it('serves the stylesheet and scripts the pages link, at hashed URLs with the page\'s CSP nonce', async () => {
    const login = await get('/admin/login');
    expect(login.statusCode).toBe(200);
    const html = login.body;
    expect(html).not.toContain('<style');
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(login.headers['content-security-policy']))?.[1];
    const tags = [...html.matchAll(/<(?:link rel="stylesheet" href|script src)="([^"]+)" nonce="([^"]+)"/g)];
    expect(tags.map((t) => t[1])).toEqual([expect.stringMatching(/^\/assets\/page-[0-9a-f]{16}\.css$/), expect.stringMatching(/^\/assets\/time-zone-[0-9a-f]{16}\.js$/)]);
    for (const [, url, tagNonce] of tags) {
      expect(tagNonce).toBe(nonce);
      const res = await get(url ?? '');
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe(IMMUTABLE_CACHE_CONTROL);
    }
  });
});

describe('a big asset before its compressed copy is ready', () => {
  it('sends a big asset as it is, not compressed per request, while its compressed copy is not ready', async () => {
    const bundle = `/* bundle */\n${Array.from({ length: 40_000 }, (_, i) => `var v${i} = ${i};`).join('\n')}`;
    const big = defineAsset('test-bundle', 'js', 'text/javascript; charset=utf-8', () => bundle);
    expect(big.body.length).toBeGreaterThan(512 * 1024);
    const first = await get(`/assets/${big.fileName}`, { 'accept-encoding': 'br' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-encoding']).toBeUndefined();
    expect(first.body).toBe(bundle);
  });
});

describe('/openapi.json', () => {
  it('is compressed once and sent brotli to a browser that takes it, the same document, revalidated by ETag', async () => {
    const plain = await get('/openapi.json');
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('no-cache');
    const br = await get('/openapi.json', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 5);
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual(plain.json());
    expect((await get('/openapi.json', { 'if-none-match': String(plain.headers.etag) })).statusCode).toBe(304);
  });

  it('leaves a small JSON answer of the API uncompressed', async () => {
    const health = await get('/healthz', { 'accept-encoding': 'br, gzip' });
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-encoding']).toBeUndefined();
  });
});
