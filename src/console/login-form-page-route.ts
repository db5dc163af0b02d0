import { consoleCsrfToken, newOperatorSecret } from '../operators/operator-secrets.ts';
import { LOGIN_LOCK_MS } from '../operators/sessions.ts';
import { consolePage, cookieHeader, LOGIN_COOKIE, sendPage } from './console-http.ts';
import { loginForm } from './login-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerLoginFormPage: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/login', options, async (request, reply) => {
    const page = consolePage(request, reply);
    const binding = newOperatorSecret();
    void reply.header('set-cookie', cookieHeader(ctx, LOGIN_COOKIE, binding, LOGIN_LOCK_MS));
    return sendPage(reply, page, loginForm(page, consoleCsrfToken(ctx.secrets.masterKey, `login:${binding}`)));
  });
};
