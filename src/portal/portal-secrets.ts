import { createHmac, randomBytes } from 'node:crypto';
import { hashSecret, safeEqual } from '../auth/secrets.ts';

/**
 * The three secrets of a portal session: the link token (single use, in the URL), the cookie (the
 * browser's session) and the CSRF token (in every form). The first two are random and stored only as
 * SHA-256; the CSRF token is derived from the master key and the session id, so it needs no storage.
 */
const SECRET_BYTES = 32;
const CSRF_CONTEXT = 'purse.portal.csrf.v1';

export function newPortalSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function hashPortalSecret(secret: string): string {
  return hashSecret(secret);
}

export function csrfToken(masterKey: string, sessionId: string): string {
  return createHmac('sha256', masterKey).update(`${CSRF_CONTEXT}:${sessionId}`).digest('base64url');
}

export function csrfTokenValid(masterKey: string, sessionId: string, submitted: unknown): boolean {
  return typeof submitted === 'string' && safeEqual(submitted, csrfToken(masterKey, sessionId));
}
