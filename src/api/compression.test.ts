import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESS_THRESHOLD_BYTES, compressResponse, encodingFor } from './compression.ts';

/**
 * The one compression hook (issue 24) on a bare Fastify server with the kinds of answer Purse gives: tiny
 * JSON, a large HTML page with Server-Timing, a streamed CSV, a PDF, a body a route compressed itself.
 */
const PAGE = `<!doctype html><p>${'A billing page line. '.repeat(200)}</p>`;
const CSV_ROWS = 500;
let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  app.addHook('onSend', compressResponse);
  app.get('/tiny', async () => ({ balance: '12.50', currency: 'USD' }));
  app.get('/list', async () => ({ data: Array.from({ length: 100 }, (_, i) => ({ id: `txn_${i}`, amount: '1.00' })) }));
  app.get('/page', async (_request, reply) => reply.type('text/html; charset=utf-8').header('server-timing', 'render;dur=1.25').send(PAGE));
  app.get('/csv', async (_request, reply) => reply.type('text/csv').send(Readable.from(Array.from({ length: CSV_ROWS }, (_, i) => `row,${i}\n`))));
  app.get('/pdf', async (_request, reply) => reply.type('application/pdf').send(Buffer.alloc(4096, 7)));
  app.get('/encoded', async (_request, reply) => reply.type('text/plain').header('content-encoding', 'gzip').send(Buffer.from(PAGE)));
  await app.ready();
});
afterAll(() => app.close());

const get = (url: string, acceptEncoding?: string) =>
  app.inject({ method: 'GET', url, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });

describe('the shared compression hook', () => {
  it('leaves a JSON answer under the threshold alone, without even a Vary header', async () => {
    const res = await get('/tiny', 'gzip, deflate, br');
    expect(res.rawPayload.length).toBeLessThan(COMPRESS_THRESHOLD_BYTES);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(res.json()).toEqual({ balance: '12.50', currency: 'USD' });
  });

  it('compresses JSON over the threshold, brotli first, and it reads back the same', async () => {
    const res = await get('/list', 'gzip, br');
    expect(res.headers['content-encoding']).toBe('br');
    expect(String(res.headers.vary)).toContain('accept-encoding');
    expect(JSON.parse(brotliDecompressSync(res.rawPayload).toString()).data).toHaveLength(100);
  });

  it('sends an HTML page gzip when brotli is refused, keeping Server-Timing and the content type', async () => {
    const res = await get('/page', 'br;q=0, gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['server-timing']).toBe('render;dur=1.25');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(PAGE) / 10);
    expect(gunzipSync(res.rawPayload).toString()).toBe(PAGE);
  });

  it('sends the page as is to a client that accepts no encoding, still naming Accept-Encoding in Vary', async () => {
    const res = await get('/page');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(String(res.headers.vary)).toContain('accept-encoding');
    expect(res.body).toBe(PAGE);
  });

  it('never touches a stream (a download keeps streaming), a PDF, or a body already encoded', async () => {
    const csv = await get('/csv', 'br, gzip');
    expect(csv.headers['content-encoding']).toBeUndefined();
    expect(csv.headers['transfer-encoding']).toBe('chunked');
    expect(csv.body.split('\n').filter(Boolean)).toHaveLength(CSV_ROWS);
    const pdf = await get('/pdf', 'br, gzip');
    expect(pdf.headers['content-encoding']).toBeUndefined();
    expect(pdf.rawPayload.length).toBe(4096);
    const encoded = await get('/encoded', 'br');
    expect(encoded.headers['content-encoding']).toBe('gzip');
    expect(encoded.body).toBe(PAGE);
  });
});

describe('Accept-Encoding negotiation', () => {
  it('prefers brotli, then gzip, honours q=0 and ignores what it does not speak', () => {
    expect(encodingFor('gzip, deflate, br, zstd')).toBe('br');
    expect(encodingFor('gzip;q=0.5, br;q=0')).toBe('gzip');
    expect(encodingFor('identity')).toBeUndefined();
    expect(encodingFor('deflate')).toBeUndefined();
    expect(encodingFor(undefined)).toBeUndefined();
  });
});
