import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { EndpointParams, EndpointSchema } from './endpoint-schemas.ts';
import { getEndpoint } from './manage-endpoints.ts';
import { BASE, ownerOf, read, tags } from './tenant-endpoint-route-kit.ts';

export const registerReadTenantEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.get(`${BASE}/:id`, {
    config: read,
    schema: { tags, summary: 'Get one of your webhook endpoints', security: tenantSecurity, params: EndpointParams, response: { 200: EndpointSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => getEndpoint(ctx, ownerOf(request), request.params.id));
};
