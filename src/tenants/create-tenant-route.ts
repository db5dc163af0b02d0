import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { createTenant } from './tenants.ts';
import { admin, Name, tags, TenantSchema } from './admin-tenant-route-kit.ts';

export const registerCreateTenantRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants', {
    config: admin,
    schema: {
      tags, summary: 'Create a tenant', security: adminSecurity,
      body: Type.Object({ name: Name, currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }) }, { additionalProperties: false }),
      response: { 201: TenantSchema, ...errorResponses('CURRENCY_INVALID') },
    },
  }, async (request, reply) => {
    const tenant = await createTenant(ctx, request.body);
    return reply.status(201).send(tenant);
  });
};
