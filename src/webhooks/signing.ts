import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1';

/**
 * An endpoint's signing secret, derived like API key secrets (auth/secrets.ts): HMAC-SHA256 of the
 * master key over the endpoint id and a random salt. The database keeps the salt only, so a dump alone
 * reveals no secret, yet the worker can recompute it to sign. Standard Webhooks format: `whsec_` +
 * base64 of the key bytes.
 */
export function deriveEndpointSecret(masterKey: string, endpointId: string, salt: string): string {
  const key = createHmac('sha256', masterKey).update(`purse.webhook-endpoint.v1:${endpointId}:${salt}`).digest();
  return `${SECRET_PREFIX}${key.toString('base64')}`;
}

/** Standard Webhooks: base64 HMAC-SHA256, keyed by the secret's bytes, of `{id}.{timestamp}.{body}`. */
export function signPayload(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `${SIGNATURE_VERSION},${mac}`;
}

/** The `webhook-signature` header: one signature per secret in effect (two during a rotation). */
export function signatureHeader(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => signPayload(secret, messageId, timestampSeconds, body)).join(' ');
}
