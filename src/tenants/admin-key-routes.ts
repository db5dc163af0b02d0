import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses } from '../api/kit.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './keys.ts';

const Permission = Type.Union([Type.Literal('billing:read'), Type.Literal('billing:write'), Type.Literal('usage:write')]);
const KeySchema = Type.Object({
  id: Type.String({ description: 'Public key id (use as x-api-key-id)' }),
  tenantId: Type.String(),
  scope: Type.Union([Type.Literal('tenant'), Type.Literal('number')]),
  numberId: Type.Union([Type.String(), Type.Null()]),
  permissions: Type.Array(Permission),
  hint: Type.String({ description: 'The last characters of the secret' }),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const CreatedKeySchema = Type.Intersect([KeySchema, Type.Object({ secret: Type.String({ description: 'Shown once; store it now' }) })]);
const admin = { auth: { kind: 'admin' as const } };
const tags = ['Admin'];

export const registerAdminKeyRoutes: RouteRegistrar = (app, ctx) => {
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

  app.get('/v1/admin/tenants/:tenantId/keys', {
    config: admin,
    schema: {
      tags, summary: 'List API keys (never their secrets)', security: adminSecurity,
      params: Type.Object({ tenantId: Type.String({ maxLength: 64 }) }),
      response: { 200: Type.Object({ data: Type.Array(KeySchema) }), ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => ({ data: await listApiKeys(ctx, request.params.tenantId) }));

  app.delete('/v1/admin/keys/:keyId', {
    config: admin,
    schema: {
      tags, summary: 'Revoke an API key; it answers 401 from then on', security: adminSecurity,
      params: Type.Object({ keyId: Type.String({ maxLength: 64 }) }),
      response: { 200: KeySchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => revokeApiKey(ctx, request.params.keyId));
};
