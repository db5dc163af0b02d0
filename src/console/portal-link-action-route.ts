import { auditWrite } from '../audit/audit-log.ts';
import { createPortalSession } from '../portal/create-portal-session.ts';
import { auditActorOf, guardWrite } from './console-http.ts';
import { showTenant } from './tenant-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerPortalLinkAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/tenants/:id/portal-link', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'portal_link.create');
    if (!viewer) return reply;
    const tenantId = (request.params as { id: string }).id;
    const link = await auditWrite(ctx, auditActorOf(viewer, request), { action: 'portal_link.create', target: tenantId }, () => createPortalSession(ctx, tenantId, {}));
    return showTenant(ctx, viewer, request, reply, undefined, link.url);
  });
};
