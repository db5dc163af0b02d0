import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'ps_';
const SALT_BYTES = 16;
const HINT_CHARS = 4;

/**
 * A key's secret is derived from the operator's master key, the key id and a random salt.
 * The database stores only the salt and a SHA-256 of the secret: a database dump alone reveals no
 * secret, yet the server can recompute one to check an HMAC-signed request (`x-api-key-id`).
 */
export function deriveKeySecret(masterKey: string, keyId: string, salt: string): string {
  const mac = createHmac('sha256', masterKey).update(`purse.api-key.v1:${keyId}:${salt}`).digest('base64url');
  return `${SECRET_PREFIX}${mac}`;
}

export function newSalt(): string {
  return randomBytes(SALT_BYTES).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What a listing may show of a secret without revealing it. */
export function secretHint(secret: string): string {
  return `${SECRET_PREFIX}…${secret.slice(-HINT_CHARS)}`;
}

export function looksLikeKeySecret(value: string): boolean {
  return value.startsWith(SECRET_PREFIX) && value.length > SECRET_PREFIX.length + 16 && value.length < 200;
}

/** Constant-time string equality (hashes first so unequal lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
