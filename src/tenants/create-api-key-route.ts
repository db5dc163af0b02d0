import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { createApiKey } from './keys.ts';
import { admin, CreatedKeySchema, tags } from './admin-key-route-kit.ts';

export const registerCreateApiKeyRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants/:tenantId/keys', {
    config: admin,
    schema: {
      tags, summary: 'Create an API key (the secret is returned once)', security: adminSecurity,
      params: Type.Object({ tenantId: Type.String({ maxLength: 64 }) }),
      body: Type.Object(
        {
          scope: Type.Union([Type.Literal('tenant'), Type.Literal('number')]),
          numberId: Type.Optional(Type.String({ maxLength: 64 })),
          permissions: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
        },
        { additionalProperties: false },
      ),
      response: { 201: CreatedKeySchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request, reply) => {
    const key = await createApiKey(ctx, request.params.tenantId, request.body);
    return reply.status(201).header('cache-control', 'no-store').send(key);
  });
};
