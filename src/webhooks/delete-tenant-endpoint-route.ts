import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { DeletedSchema, EndpointParams } from './endpoint-schemas.ts';
import { deleteEndpoint } from './manage-endpoints.ts';
import { BASE, ownerOf, tags, write } from './tenant-endpoint-route-kit.ts';

export const registerDeleteTenantEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.delete(`${BASE}/:id`, {
    config: write,
    schema: { tags, summary: 'Delete one of your webhook endpoints', security: tenantSecurity, params: EndpointParams, response: { 200: DeletedSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => deleteEndpoint(ctx, ownerOf(request), request.params.id));
};
