import { disableOperator } from '../operators/manage-operators.ts';
import { auditActorOf, guardWrite } from './console-http.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerDisableOperatorAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/operators/:id/disable', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'operator.disable');
    if (!viewer) return reply;
    await disableOperator(ctx, auditActorOf(viewer, request), (request.params as { id: string }).id);
    return reply.redirect('/admin/operators', 303);
  });
};
