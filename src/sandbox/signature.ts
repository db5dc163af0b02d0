import { createHmac } from 'node:crypto';

/** Stripe's v1 webhook signature: HMAC-SHA256 of `{t}.{payload}` with the endpoint secret. */
export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}
