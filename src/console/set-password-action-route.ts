import { PurseError } from '../errors/purse-error.ts';
import { setOperatorPassword } from '../operators/manage-operators.ts';
import { formBody } from '../web/page-http.ts';
import { consolePage, sendPage } from './console-http.ts';
import { renderMessage } from './console-shell.ts';
import { FIELD_LENGTH_MAX } from './login-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerSetPasswordAction: ConsolePageRegistrar = (app, ctx, options) => {
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
};
