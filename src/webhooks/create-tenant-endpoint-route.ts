import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { CreateTenantEndpointBody, EndpointWithSecretSchema } from './endpoint-schemas.ts';
import { createEndpoint } from './manage-endpoints.ts';
import { BASE, ownerOf, tags, write } from './tenant-endpoint-route-kit.ts';

export const registerCreateTenantEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.post(BASE, {
    config: write,
    schema: { tags, summary: 'Create a webhook endpoint for your events (the secret is returned once)', security: tenantSecurity, body: CreateTenantEndpointBody, response: { 201: EndpointWithSecretSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED') } },
  }, async (request, reply) => reply.status(201).header('cache-control', 'no-store').send(await createEndpoint(ctx, ownerOf(request), request.body)));
};
