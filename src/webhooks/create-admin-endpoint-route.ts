import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { CreateAdminEndpointBody, EndpointWithSecretSchema } from './endpoint-schemas.ts';
import { createEndpoint } from './manage-endpoints.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerCreateAdminEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.post(BASE, {
    config: admin,
    schema: { tags, summary: 'Create a webhook endpoint (the secret is returned once)', security: adminSecurity, body: CreateAdminEndpointBody, response: { 201: EndpointWithSecretSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED', 'NOT_FOUND') } },
  }, async (request, reply) => reply.status(201).header('cache-control', 'no-store').send(await createEndpoint(ctx, ADMIN, request.body)));
};
