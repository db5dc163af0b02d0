import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { consoleCsrfToken, consoleCsrfValid } from '../operators/operator-secrets.ts';
import { type ConsoleAction, roleMay } from '../operators/roles.ts';
import { SESSION_IDLE_TIMEOUT_MS, readOperatorSession } from '../operators/sessions.ts';
import { negotiateLang } from '../i18n/locale.ts';
import { contentSecurityPolicy, newNonce } from '../web/page-shell.ts';
import { cookieValue, formBody } from '../web/page-http.ts';
import { consoleText } from './console-i18n.ts';
import { renderMessage } from './console-shell.ts';
import type { ConsolePage, ConsoleViewer } from './console-viewer.ts';

/** What every console response shares: language, strict headers, the operator's session and the CSRF guard. */
export const CONSOLE_COOKIE = 'purse_console';
/** Before login: binds the login form's CSRF token to this browser. */
export const LOGIN_COOKIE = 'purse_console_login';
const COOKIE_PATH = '/admin';
const SERVER_TIMING_DECIMALS = 2;

export type { ConsolePage, ConsoleViewer } from './console-viewer.ts';

export function consolePage(request: FastifyRequest, reply: FastifyReply): ConsolePage {
  const startMs = performance.now();
  const lang = negotiateLang(request.headers['accept-language']);
  const nonce = newNonce();
  void reply.headers({
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', vary: 'accept-language, cookie',
    'content-security-policy': `${contentSecurityPolicy(nonce)}; form-action 'self'`, 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin',
  });
  return { lang, t: consoleText(lang), nonce, startMs };
}

function secure(ctx: Ctx): string {
  return ctx.config.env === 'production' || ctx.config.publicUrl.startsWith('https:') ? '; Secure' : '';
}

export function cookieHeader(ctx: Ctx, name: string, value: string, maxAgeMs: number): string {
  return `${name}=${value}; Path=${COOKIE_PATH}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure(ctx)}`;
}

export function sessionCookieHeader(ctx: Ctx, cookie: string): string {
  return cookieHeader(ctx, CONSOLE_COOKIE, cookie, SESSION_IDLE_TIMEOUT_MS);
}

/** Sends the page with its server time, which the bench reads. */
export function sendPage(reply: FastifyReply, page: ConsolePage, body: string, status = 200): FastifyReply {
  return reply.status(status).header('server-timing', `render;dur=${(performance.now() - page.startMs).toFixed(SERVER_TIMING_DECIMALS)}`).send(body);
}

/** The signed-in operator, or a redirect to the login page (401 for anything but a page read). */
export async function requireOperator(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<ConsoleViewer | undefined> {
  const page = consolePage(request, reply);
  const operator = await readOperatorSession(ctx, cookieValue(request, CONSOLE_COOKIE));
  if (!operator) {
    if (request.method === 'GET') void reply.redirect('/admin/login', 303);
    else void sendPage(reply, page, renderMessage(page, page.t.sessionEnded, 'UNAUTHORIZED'), 401);
    return undefined;
  }
  return { ...page, operator, csrf: consoleCsrfToken(ctx.secrets.masterKey, operator.sessionId) };
}

/**
 * A console write runs only for a live session, from our own origin, with the session's CSRF token and a
 * role allowed the action. Otherwise the refusal is sent (nothing is written) and undefined returned.
 */
export async function guardWrite(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, action: ConsoleAction): Promise<ConsoleViewer | undefined> {
  const viewer = await requireOperator(ctx, request, reply);
  if (!viewer) return undefined;
  const origin = request.headers.origin;
  const sameOrigin = origin === undefined || origin === new URL(ctx.config.publicUrl).origin;
  if (!sameOrigin || !consoleCsrfValid(ctx.secrets.masterKey, viewer.operator.sessionId, formBody(request).csrf)) {
    ctx.log.warn({ operatorId: viewer.operator.operatorId, action, sameOrigin }, 'console action refused: CSRF check failed');
    void sendPage(reply, viewer, renderMessage(viewer, viewer.t.csrf, 'CSRF_INVALID'), 403);
    return undefined;
  }
  if (!roleMay(viewer.operator.role, action)) {
    ctx.log.warn({ operatorId: viewer.operator.operatorId, action, role: viewer.operator.role }, 'console action refused: role');
    void sendPage(reply, viewer, renderMessage(viewer, viewer.t.forbidden, 'FORBIDDEN_ROLE', viewer), new PurseError('FORBIDDEN_ROLE').status);
    return undefined;
  }
  return viewer;
}

export function auditActorOf(viewer: ConsoleViewer, request: FastifyRequest) {
  return { actor: viewer.operator.email, role: viewer.operator.role, requestId: request.id };
}

/** Session + origin + CSRF, for writes every role may make (logging out). */
export async function guardWriteless(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<ConsoleViewer | undefined> {
  const viewer = await requireOperator(ctx, request, reply);
  if (!viewer) return undefined;
  if (!consoleCsrfValid(ctx.secrets.masterKey, viewer.operator.sessionId, formBody(request).csrf)) {
    void sendPage(reply, viewer, renderMessage(viewer, viewer.t.csrf, 'CSRF_INVALID'), 403);
    return undefined;
  }
  return viewer;
}
