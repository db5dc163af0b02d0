import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { setTenantStatus } from './tenants.ts';
import { admin, tags, TenantParams, TenantSchema } from './admin-tenant-route-kit.ts';

export const registerDisableTenantRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants/:tenantId/disable', {
    config: admin,
    schema: { tags, summary: 'Disable a tenant (its keys stop working)', security: adminSecurity, params: TenantParams, response: { 200: TenantSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => setTenantStatus(ctx, request.params.tenantId, 'disabled'));
};
