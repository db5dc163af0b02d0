import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { revokeApiKey } from './keys.ts';
import { admin, KeySchema, tags } from './admin-key-route-kit.ts';

export const registerRevokeApiKeyRoute: RouteRegistrar = (app, ctx) => {
  app.delete('/v1/admin/keys/:keyId', {
    config: admin,
    schema: {
      tags, summary: 'Revoke an API key; it answers 401 from then on', security: adminSecurity,
      params: Type.Object({ keyId: Type.String({ maxLength: 64 }) }),
      response: { 200: KeySchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => revokeApiKey(ctx, request.params.keyId));
};
