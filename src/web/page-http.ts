import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { csrfTokenValid } from '../portal/portal-secrets.ts';
import { type OpenedSession, type PortalSession, portalReturnLink, readPortalSession } from '../portal/open-portal-session.ts';
import type { Catalog } from '../i18n/en.ts';
import { type Lang, catalogOf, knownTimeZone, negotiateLang, negotiateLocale } from '../i18n/locale.ts';
import { contentSecurityPolicy, newNonce } from './page-shell.ts';
import { renderNotice } from './render-notices.ts';

/** The plumbing every billing page response shares: language, headers, the session cookie, the CSRF guard. */
export const SESSION_COOKIE = 'purse_billing';
/** Set by the page's script to the browser's IANA time zone (page-shell.ts), read back for dates. */
export const TIME_ZONE_COOKIE = 'purse_tz';

function decodeCookie(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
const COOKIE_PATH = '/billing';

export interface PageRequest {
  /** The catalog language (the page's words and its `lang` attribute). */
  lang: Lang;
  /** The locale numbers, money and dates are written and read in: any Intl knows (de-DE, en-GB…). */
  locale: string;
  /** The browser's time zone, from the cookie the page's script sets; UTC until then. */
  timeZone: string;
  t: Catalog;
  nonce: string;
}

export function pageRequest(request: FastifyRequest, reply: FastifyReply): PageRequest {
  const lang = negotiateLang(request.headers['accept-language']);
  const nonce = newNonce();
  void reply.headers({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    vary: 'accept-language, cookie',
    'content-security-policy': contentSecurityPolicy(nonce),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // No Referer leaves for another site (Checkout); same-origin keeps form posts' Origin header real,
    // which no-referrer would turn into "null". The link token is only ever in a body-less 303's URL.
    'referrer-policy': 'same-origin',
  });
  const timeZone = knownTimeZone(decodeCookie(cookieValue(request, TIME_ZONE_COOKIE)));
  return { lang, locale: negotiateLocale(request.headers['accept-language']), timeZone, t: catalogOf(lang), nonce };
}

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(ctx: Ctx, opened: OpenedSession): string {
  const maxAgeSeconds = Math.max(0, Math.floor((opened.expiresAtMs - ctx.nowMs()) / 1000));
  const secure = ctx.config.env === 'production' || ctx.config.publicUrl.startsWith('https:');
  return `${SESSION_COOKIE}=${opened.cookie}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function readSession(ctx: Ctx, request: FastifyRequest): Promise<PortalSession | undefined> {
  return readPortalSession(ctx, cookieValue(request, SESSION_COOKIE));
}

export type FormBody = Record<string, string>;

export function formBody(request: FastifyRequest): FormBody {
  const body = request.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as FormBody) : {};
}

/**
 * A form action runs only for a live session, from our own origin, with the session's CSRF token.
 * Otherwise the refusal page is sent (nothing is done, nothing charged) and undefined returned.
 */
export async function guardAction(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, page: PageRequest): Promise<PortalSession | undefined> {
  const session = await readSession(ctx, request);
  if (!session) {
    const back = await portalReturnLink(ctx, { cookie: cookieValue(request, SESSION_COOKIE) });
    void reply.status(401).send(renderNotice('session_ended', page.t, page.nonce, { back }));
    return undefined;
  }
  const origin = request.headers.origin;
  const sameOrigin = origin === undefined || origin === new URL(ctx.config.publicUrl).origin;
  if (!sameOrigin || !csrfTokenValid(ctx.secrets.masterKey, session.id, formBody(request).csrf)) {
    ctx.log.warn({ portalSessionId: session.id, sameOrigin }, 'billing page action refused: CSRF check failed');
    void reply.status(403).send(renderNotice('csrf', page.t, page.nonce));
    return undefined;
  }
  return session;
}
