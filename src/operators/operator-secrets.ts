import { createHmac, randomBytes } from 'node:crypto';
import { hashSecret, safeEqual } from '../auth/secrets.ts';

/**
 * The secrets of the console: set-password tokens and session cookies are random and stored only as
 * SHA-256; CSRF tokens are derived from the master key and the session (or pre-login) id, so they need no storage.
 */
const SECRET_BYTES = 32;
const CSRF_CONTEXT = 'purse.console.csrf.v1';

export function newOperatorSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function hashOperatorSecret(secret: string): string {
  return hashSecret(secret);
}

export function consoleCsrfToken(masterKey: string, bindingId: string): string {
  return createHmac('sha256', masterKey).update(`${CSRF_CONTEXT}:${bindingId}`).digest('base64url');
}

export function consoleCsrfValid(masterKey: string, bindingId: string, submitted: unknown): boolean {
  return typeof submitted === 'string' && safeEqual(submitted, consoleCsrfToken(masterKey, bindingId));
}
