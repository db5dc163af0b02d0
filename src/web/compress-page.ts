import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The billing pages' HTML, compressed when the browser takes it (node:zlib; no plugin): brotli, else gzip.
 * A page of some tens of KB shrinks to a few; below the threshold the bytes saved are not worth the CPU.
 * Quality 4 is where brotli beats gzip's size at about gzip's cost.
 */
export const COMPRESS_THRESHOLD_BYTES = 1024;
const BROTLI_QUALITY = 4;

export function encodingFor(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
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

/** An onSend hook: HTML strings over the threshold leave compressed, with Vary naming Accept-Encoding. */
export async function compressHtml(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
  const vary = String(reply.getHeader('vary') ?? '');
  void reply.header('vary', vary ? `${vary}, accept-encoding` : 'accept-encoding');
  const encoding = encodingFor(request.headers['accept-encoding']);
  if (!encoding || Buffer.byteLength(payload) < COMPRESS_THRESHOLD_BYTES) return payload;
  const body = encoding === 'br'
    ? brotliCompressSync(payload, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })
    : gzipSync(payload);
  void reply.header('content-encoding', encoding);
  void reply.removeHeader('content-length');
  return body;
}
