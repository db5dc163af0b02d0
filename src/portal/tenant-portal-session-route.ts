import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { createPortalSession } from './create-portal-session.ts';
import { Body, description, PortalLinkSchema } from './portal-session-route-kit.ts';

export const registerTenantPortalSessionRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/billing/portal-sessions', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } },
    schema: {
      tags: ['Billing'], summary: 'Create a billing page link for this tenant', description, security: tenantSecurity,
      body: Body,
      response: { 201: PortalLinkSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED') },
    },
  }, async (request, reply) => {
    const link = await createPortalSession(ctx, principalOf(request).tenantId, { returnUrl: request.body?.returnUrl });
    return reply.status(201).send(link);
  });
};
