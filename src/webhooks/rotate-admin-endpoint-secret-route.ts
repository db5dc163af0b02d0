import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { EndpointParams, EndpointWithSecretSchema } from './endpoint-schemas.ts';
import { rotateEndpointSecret } from './manage-endpoints.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerRotateAdminEndpointSecretRoute: RouteRegistrar = (app, ctx) => {
  app.post(`${BASE}/:id/rotate-secret`, {
    config: admin,
    schema: { tags, summary: 'Rotate the signing secret (the old one keeps signing for 24 h)', security: adminSecurity, params: EndpointParams, response: { 200: EndpointWithSecretSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await rotateEndpointSecret(ctx, ADMIN, request.params.id)));
};
