import { requireOperator, sendPage } from './console-http.ts';
import { queryOf } from './console-util.ts';
import { searchTenants } from './tenant-search.ts';
import { renderTenantList } from './tenant-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerTenantListPage: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/tenants', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    if (!viewer) return reply;
    const query = queryOf(request);
    const found = await searchTenants(ctx, query);
    return sendPage(reply, viewer, renderTenantList(viewer, query, found));
  });
};
