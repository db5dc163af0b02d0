import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * One way responses leave compressed (issue 24): brotli when the browser takes it, else gzip, else as is.
 * Dynamic bodies (HTML pages, CSV, JSON of some size, /metrics) are compressed by the onSend hook below as
 * they leave; fixed files (static assets, /openapi.json) are compressed once and kept (static-assets.ts).
 *
 * Below the threshold the bytes saved are not worth the CPU: a debit's or a wallet's JSON answer (a few
 * hundred bytes) leaves untouched, without even a Vary header.
 */
export const COMPRESS_THRESHOLD_BYTES = 1024;
/** Quality 4 is where brotli beats gzip's size at about gzip's cost: right for a body compressed per request. */
const DYNAMIC_BROTLI_QUALITY = 4;
/** Text formats that shrink; images, PDFs and archives are compressed already. */
const COMPRESSIBLE_TYPE = /^(?:text\/|application\/(?:json|javascript|xml)|image\/svg\+xml)/;

export type Encoding = 'br' | 'gzip';

/** The best encoding the request accepts (q=0 refuses one), or none. */
export function encodingFor(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const offered = acceptEncoding.toLowerCase().split(',').map((part) => {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return { name: name.trim(), q: q === undefined ? 1 : Number(q) };
  }).filter((e) => e.q > 0).map((e) => e.name);
  if (offered.includes('br')) return 'br';
  if (offered.includes('gzip')) return 'gzip';
  return undefined;
}

export function isCompressible(contentType: unknown): boolean {
  return typeof contentType === 'string' && COMPRESSIBLE_TYPE.test(contentType);
}

/** The response differs by Accept-Encoding: caches must keep one copy per encoding. */
export function varyOnEncoding(reply: FastifyReply): void {
  const vary = String(reply.getHeader('vary') ?? '');
  if (!/accept-encoding/i.test(vary)) void reply.header('vary', vary ? `${vary}, accept-encoding` : 'accept-encoding');
}

export function compressSync(body: string | Buffer, encoding: Encoding, brotliQuality = DYNAMIC_BROTLI_QUALITY): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })
    : gzipSync(body);
}

/** Replies whose body is sent exactly as given (a fixed file whose compressed copy is not ready yet). */
const AS_IS = new WeakSet<FastifyReply>();

/** The onSend hook below leaves this reply's body alone: its sender decided the encoding already. */
export function sendAsIs(reply: FastifyReply): FastifyReply {
  AS_IS.add(reply);
  return reply;
}

/**
 * An onSend hook for the whole server: a string or Buffer body of a compressible type, at least
 * COMPRESS_THRESHOLD_BYTES long and not already encoded, leaves compressed. Streams pass through untouched
 * (a streamed download keeps streaming), and so do headers set before it (Server-Timing, Cache-Control).
 */
export function compressResponse(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size < COMPRESS_THRESHOLD_BYTES) return done(null, payload);
  if (AS_IS.has(reply) || reply.hasHeader('content-encoding') || !isCompressible(reply.getHeader('content-type'))) return done(null, payload);
  varyOnEncoding(reply);
  const encoding = encodingFor(request.headers['accept-encoding']);
  if (!encoding) return done(null, payload);
  void reply.header('content-encoding', encoding);
  void reply.removeHeader('content-length');
  done(null, compressSync(payload, encoding));
}
