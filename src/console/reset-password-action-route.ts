import { resetOperatorPassword } from '../operators/manage-operators.ts';
import { auditActorOf, guardWrite, sendPage } from './console-http.ts';
import { renderOperators } from './operators-page.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerResetOperatorPasswordAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/operators/:id/reset-password', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'operator.reset_password');
    if (!viewer) return reply;
    const link = await resetOperatorPassword(ctx, auditActorOf(viewer, request), (request.params as { id: string }).id);
    return sendPage(reply, viewer, await renderOperators(ctx, viewer, { email: link.operator.email, url: link.url }));
  });
};
