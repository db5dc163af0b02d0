import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { createPortalSession } from './create-portal-session.ts';

const URL_LENGTH_MAX = 2048;

const Body = Type.Union([
  Type.Object({
    returnUrl: Type.Optional(Type.String({ maxLength: URL_LENGTH_MAX, description: 'A "Back" link on the page; its origin must be allow-listed (ALLOWED_REDIRECT_ORIGINS)' })),
  }, { additionalProperties: false }),
  Type.Null(),
]);

const PortalLinkSchema = Type.Object({
  url: Type.String({ description: '`{PUBLIC_URL}/billing?session=…`: opens the billing page once; send it to the customer, never log it', examples: ['https://billing.example.com/billing?session=…'] }),
  expiresAt: Type.String({ format: 'date-time', description: 'The link must be opened before this (1 hour)' }),
});

const description = 'A short-lived, single-use link to the billing page of one tenant. Opening it sets an httpOnly session cookie; ' +
  'the link cannot be opened again. Not idempotent by design: a retry mints another link (nothing is charged by a link).';

export const registerPortalSessionRoutes: RouteRegistrar = (app, ctx) => {
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
