import { requireOperator } from './console-http.ts';
import { queryOf } from './console-util.ts';
import { showDeliveries } from './ops-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerDeliveriesPage: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/deliveries', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    return viewer ? showDeliveries(ctx, viewer, reply, queryOf(request).notice === 'replayed' ? viewer.t.replayed : undefined) : reply;
  });
};
