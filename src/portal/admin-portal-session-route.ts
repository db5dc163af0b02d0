import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { createPortalSession } from './create-portal-session.ts';
import { Body, description, PortalLinkSchema } from './portal-session-route-kit.ts';

export const registerAdminPortalSessionRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants/:tenantId/portal-sessions', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Create a billing page link for a tenant', description, security: adminSecurity,
      params: Type.Object({ tenantId: Type.String({ maxLength: 64 }) }),
      body: Body,
      response: { 201: PortalLinkSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED', 'NOT_FOUND', 'TENANT_DISABLED') },
    },
  }, async (request, reply) => {
    const link = await createPortalSession(ctx, request.params.tenantId, { returnUrl: request.body?.returnUrl });
    return reply.status(201).send(link);
  });
};
