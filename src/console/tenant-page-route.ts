import { requireOperator } from './console-http.ts';
import { queryOf } from './console-util.ts';
import { showTenant } from './tenant-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerTenantPage: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/tenants/:id', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    if (!viewer) return reply;
    return showTenant(ctx, viewer, request, reply, queryOf(request).notice);
  });
};
