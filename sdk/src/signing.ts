/**
 * Signed requests (SPEC §3.1): instead of sending the secret, send the key's public id with
 * `x-timestamp` and `x-signature` = hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path-with-query}.{sha256-hex(body)}").
 * Purse accepts each signature once, so two identical requests in the same second (two equal debits with
 * different Idempotency-Keys, say) would sign alike: the signer moves the timestamp on by a second until the
 * signature is one it has not sent, within Purse's ±300 s tolerance. WebCrypto only: runs in Node and browsers.
 */
import type { Middleware } from 'openapi-fetch';

export interface SigningKey {
  /** The key's public id (`key_…`), sent as `x-api-key-id`. */
  keyId: string;
  /** The key's secret (`ps_…`): it signs, and is never sent. */
  secret: string;
}

/** Signatures remembered to avoid sending one twice; older ones are past Purse's tolerance anyway. */
const REMEMBERED_SIGNATURES_MAX = 4_096;
/** How far ahead of the clock a timestamp may move to stay unique (Purse allows 300 s either way). */
const TIMESTAMP_AHEAD_MAX_SECONDS = 120;

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

type HmacKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

function hmacKey(secret: string): Promise<HmacKey> {
  return globalThis.crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

async function bodyHashOf(body: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', body));
}

async function sign(key: HmacKey, timestamp: string, method: string, pathWithQuery: string, bodyHash: string): Promise<string> {
  const message = `${timestamp}.${method.toUpperCase()}.${pathWithQuery}.${bodyHash}`;
  return hex(await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}

export async function signatureOf(secret: string, timestamp: string, method: string, pathWithQuery: string, body: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  return sign(await hmacKey(secret), timestamp, method, pathWithQuery, await bodyHashOf(body));
}

/** An openapi-fetch middleware that signs every request with the key. */
export function signingMiddleware(key: SigningKey, nowMs: () => number = Date.now): Middleware {
  const sent = new Set<string>();
  const secretKey = hmacKey(key.secret);
  return {
    async onRequest({ request }) {
      const url = new URL(request.url);
      const bodyHash = await bodyHashOf(await request.clone().arrayBuffer());
      const nowSeconds = Math.floor(nowMs() / 1000);
      for (let ahead = 0; ahead <= TIMESTAMP_AHEAD_MAX_SECONDS; ahead += 1) {
        const timestamp = String(nowSeconds + ahead);
        const signature = await sign(await secretKey, timestamp, request.method, url.pathname + url.search, bodyHash);
        if (sent.has(signature)) continue;
        remember(sent, signature);
        request.headers.set('x-api-key-id', key.keyId);
        request.headers.set('x-timestamp', timestamp);
        request.headers.set('x-signature', signature);
        return request;
      }
      throw new Error(`more than ${TIMESTAMP_AHEAD_MAX_SECONDS} identical requests in a row: slow down or vary them`);
    },
  };
}

function remember(sent: Set<string>, signature: string): void {
  if (sent.size >= REMEMBERED_SIGNATURES_MAX) sent.delete(sent.values().next().value as string);
  sent.add(signature);
}
