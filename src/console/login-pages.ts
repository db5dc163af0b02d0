import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { setOperatorPassword } from '../operators/manage-operators.ts';
import { consoleCsrfToken, consoleCsrfValid, newOperatorSecret } from '../operators/operator-secrets.ts';
import { LOGIN_LOCK_MS, loginOperator, logoutOperator } from '../operators/sessions.ts';
import { html } from '../web/html.ts';
import { cookieValue, formBody } from '../web/page-http.ts';
import { CONSOLE_COOKIE, type ConsolePage, LOGIN_COOKIE, consolePage, cookieHeader, guardWriteless, sendPage, sessionCookieHeader } from './console-http.ts';
import { consoleLayout, renderMessage } from './console-shell.ts';

/** Login, logout and the one-time set-password page. The login form's CSRF token is bound to a pre-login cookie. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;
const FIELD_LENGTH_MAX = 300;

function loginForm(page: ConsolePage, csrf: string, error?: string): string {
  const t = page.t;
  return consoleLayout(page, t.login, html`<section>
${error ? html`<p class="field-error" role="alert" id="login-error">${error}</p>` : ''}
<form method="post" action="/admin/login"><input type="hidden" name="csrf" value="${csrf}">
<label for="email">${t.email}</label><input type="text" id="email" name="email" autocomplete="username" inputmode="email" required>
<label for="password">${t.password}</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button class="primary" type="submit">${t.login}</button></p></form></section>`);
}

export function registerLoginPages(app: App, ctx: Ctx, options: object): void {
  app.get('/admin/login', options, async (request, reply) => {
    const page = consolePage(request, reply);
    const binding = newOperatorSecret();
    void reply.header('set-cookie', cookieHeader(ctx, LOGIN_COOKIE, binding, LOGIN_LOCK_MS));
    return sendPage(reply, page, loginForm(page, consoleCsrfToken(ctx.secrets.masterKey, `login:${binding}`)));
  });
  app.post('/admin/login', options, async (request, reply) => login(ctx, request, reply));
  app.post('/admin/logout', options, async (request, reply) => {
    const cookie = cookieValue(request, CONSOLE_COOKIE);
    if (!(await guardWriteless(ctx, request, reply))) return reply;
    await logoutOperator(ctx, cookie);
    return reply.header('set-cookie', cookieHeader(ctx, CONSOLE_COOKIE, '', 0)).redirect('/admin/login', 303);
  });
  app.get('/admin/set-password', options, async (request, reply) => {
    const page = consolePage(request, reply);
    const token = String((request.query as Record<string, unknown>).token ?? '');
    if (!TOKEN_PATTERN.test(token)) return sendPage(reply, page, renderMessage(page, page.t.linkInvalid, 'NOT_FOUND'), 404);
    return sendPage(reply, page, consoleLayout(page, page.t.setPassword, html`<section><form method="post" action="/admin/set-password">
<input type="hidden" name="token" value="${token}"><label for="password">${page.t.password}</label>
<input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="pw-hint" required><p class="hint" id="pw-hint">${page.t.passwordHint}</p>
<button class="primary" type="submit">${page.t.save}</button></form></section>`));
  });
  app.post('/admin/set-password', options, async (request, reply) => {
    const page = consolePage(request, reply);
    const body = formBody(request);
    try {
      // The single-use token in the body is the form's own proof: a forged post would need the link.
      await setOperatorPassword(ctx, String(body.token ?? '').slice(0, FIELD_LENGTH_MAX), String(body.password ?? '').slice(0, FIELD_LENGTH_MAX));
    } catch (err) {
      if (!(err instanceof PurseError)) throw err;
      const text = err.code === 'VALIDATION_ERROR' ? page.t.passwordHint : page.t.linkInvalid;
      return sendPage(reply, page, renderMessage(page, text, err.code), err.status);
    }
    return reply.redirect('/admin/login', 303);
  });
}

async function login(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
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
