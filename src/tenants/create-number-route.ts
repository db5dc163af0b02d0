import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { createNumber } from './tenants.ts';
import { admin, Name, NumberSchema, tags, TenantParams } from './admin-tenant-route-kit.ts';

export const registerCreateNumberRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants/:tenantId/numbers', {
    config: admin,
    schema: {
      tags, summary: 'Create a number (sub-account) of a tenant', security: adminSecurity, params: TenantParams,
      body: Type.Object({ name: Name }, { additionalProperties: false }),
      response: { 201: NumberSchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request, reply) => {
    const number = await createNumber(ctx, request.params.tenantId, request.body);
    return reply.status(201).send(number);
  });
};
