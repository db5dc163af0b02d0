import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { listTenants } from './tenants.ts';
import { admin, tags, TenantSchema } from './admin-tenant-route-kit.ts';

export const registerListTenantsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/admin/tenants', {
    config: admin,
    schema: { tags, summary: 'List tenants', security: adminSecurity, response: { 200: Type.Object({ data: Type.Array(TenantSchema) }), ...errorResponses() } },
  }, async () => ({ data: await listTenants(ctx) }));
};
