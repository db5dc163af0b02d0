import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { getTenant } from './tenants.ts';
import { admin, tags, TenantParams, TenantSchema } from './admin-tenant-route-kit.ts';

export const registerReadTenantRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/admin/tenants/:tenantId', {
    config: admin,
    schema: { tags, summary: 'Read a tenant', security: adminSecurity, params: TenantParams, response: { 200: TenantSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => getTenant(ctx, request.params.tenantId));
};
