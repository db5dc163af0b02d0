import { PurseError } from '../errors/purse-error.ts';
import { createOperator } from '../operators/manage-operators.ts';
import { formBody } from '../web/page-http.ts';
import { auditActorOf, guardWrite, sendPage } from './console-http.ts';
import { renderMessage } from './console-shell.ts';
import { renderOperators } from './operators-page.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerCreateOperatorAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/operators', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'operator.create');
    if (!viewer) return reply;
    const body = formBody(request);
    try {
      const link = await createOperator(ctx, auditActorOf(viewer, request), { email: body.email, role: body.role });
      return sendPage(reply, viewer, await renderOperators(ctx, viewer, { email: link.operator.email, url: link.url }));
    } catch (err) {
      if (!(err instanceof PurseError)) throw err;
      return sendPage(reply, viewer, renderMessage(viewer, err.details?.[0]?.message ?? err.message, err.code, viewer), err.status);
    }
  });
};
