import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { EndpointParams, EndpointWithSecretSchema } from './endpoint-schemas.ts';
import { rotateEndpointSecret } from './manage-endpoints.ts';
import { BASE, ownerOf, tags, write } from './tenant-endpoint-route-kit.ts';

export const registerRotateTenantEndpointSecretRoute: RouteRegistrar = (app, ctx) => {
  app.post(`${BASE}/:id/rotate-secret`, {
    config: write,
    schema: { tags, summary: 'Rotate the signing secret (the old one keeps signing for 24 h)', security: tenantSecurity, params: EndpointParams, response: { 200: EndpointWithSecretSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await rotateEndpointSecret(ctx, ownerOf(request), request.params.id)));
};
