import { createHash, createHmac } from 'node:crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The signed-request scheme (SPEC §3.1): hex HMAC-SHA256(secret,
 * "{timestamp}.{METHOD}.{path-with-query}.{sha256-hex(body)}"). Exported so clients and tests sign alike.
 */
export function signRequest(secret: string, timestamp: string, method: string, pathWithQuery: string, body: string | Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret).update(`${timestamp}.${method.toUpperCase()}.${pathWithQuery}.${bodyHash}`).digest('hex');
}

export function timestampFresh(timestamp: string, nowMs: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowMs / 1000 - Number(timestamp)) <= SIGNATURE_TOLERANCE_SECONDS;
}
