import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { listApiKeys } from './keys.ts';
import { admin, KeySchema, tags } from './admin-key-route-kit.ts';

export const registerListApiKeysRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/admin/tenants/:tenantId/keys', {
    config: admin,
    schema: {
      tags, summary: 'List API keys (never their secrets)', security: adminSecurity,
      params: Type.Object({ tenantId: Type.String({ maxLength: 64 }) }),
      response: { 200: Type.Object({ data: Type.Array(KeySchema) }), ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => ({ data: await listApiKeys(ctx, request.params.tenantId) }));
};
