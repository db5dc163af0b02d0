import { html } from '../web/html.ts';
import { consolePage, sendPage } from './console-http.ts';
import { consoleLayout, renderMessage } from './console-shell.ts';
import { TOKEN_PATTERN } from './login-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerSetPasswordFormPage: ConsolePageRegistrar = (app, _ctx, options) => {
  app.get('/admin/set-password', options, async (request, reply) => {
    const page = consolePage(request, reply);
    const token = String((request.query as Record<string, unknown>).token ?? '');
    if (!TOKEN_PATTERN.test(token)) return sendPage(reply, page, renderMessage(page, page.t.linkInvalid, 'NOT_FOUND'), 404);
    return sendPage(reply, page, consoleLayout(page, page.t.setPassword, html`<section><form method="post" action="/admin/set-password">
<input type="hidden" name="token" value="${token}"><label for="password">${page.t.password}</label>
<input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="pw-hint" required><p class="hint" id="pw-hint">${page.t.passwordHint}</p>
<button class="primary" type="submit">${page.t.save}</button></form></section>`));
  });
};
