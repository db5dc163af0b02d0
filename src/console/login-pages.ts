import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { consoleCsrfToken, consoleCsrfValid } from '../operators/operator-secrets.ts';
import { loginOperator } from '../operators/sessions.ts';
import { html } from '../web/html.ts';
import { cookieValue, formBody } from '../web/page-http.ts';
import { CONSOLE_COOKIE, type ConsolePage, consolePage, cookieHeader, LOGIN_COOKIE, sendPage, sessionCookieHeader } from './console-http.ts';
import { consoleLayout, renderMessage } from './console-shell.ts';

/** Login, logout and the one-time set-password page. The login form's CSRF token is bound to a pre-login cookie. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;
export const FIELD_LENGTH_MAX = 300;

export function loginForm(page: ConsolePage, csrf: string, error?: string): string {
  const t = page.t;
  return consoleLayout(page, t.login, html`<section>
${error ? html`<p class="field-error" role="alert" id="login-error">${error}</p>` : ''}
<form method="post" action="/admin/login"><input type="hidden" name="csrf" value="${csrf}">
<label for="email">${t.email}</label><input type="text" id="email" name="email" autocomplete="username" inputmode="email" required>
<label for="password">${t.password}</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button class="primary" type="submit">${t.login}</button></p></form></section>`);
}


export async function login(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const page = consolePage(request, reply);
  const body = formBody(request);
  const binding = cookieValue(request, LOGIN_COOKIE);
  if (!binding || !consoleCsrfValid(ctx.secrets.masterKey, `login:${binding}`, body.csrf)) {
    return sendPage(reply, page, renderMessage(page, page.t.csrf, 'CSRF_INVALID'), 403);
  }
  const retryCsrf = consoleCsrfToken(ctx.secrets.masterKey, `login:${binding}`);
  try {
    const { cookie } = await loginOperator(ctx, {
      email: String(body.email ?? '').slice(0, FIELD_LENGTH_MAX), password: String(body.password ?? '').slice(0, FIELD_LENGTH_MAX),
      previousCookie: cookieValue(request, CONSOLE_COOKIE),
    });
    return reply.header('set-cookie', [sessionCookieHeader(ctx, cookie), cookieHeader(ctx, LOGIN_COOKIE, '', 0)]).redirect('/admin', 303);
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    if (err.headers) void reply.headers(err.headers);
    const text = err.code === 'LOGIN_LOCKED' ? page.t.locked : page.t.loginFailed;
    return sendPage(reply, page, loginForm(page, retryCsrf, text), err.status);
  }
}
