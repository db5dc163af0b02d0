import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { EndpointParams, EndpointSchema, PatchEndpointBody } from './endpoint-schemas.ts';
import { updateEndpoint } from './manage-endpoints.ts';
import { BASE, ownerOf, tags, write } from './tenant-endpoint-route-kit.ts';

export const registerUpdateTenantEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.patch(`${BASE}/:id`, {
    config: write,
    schema: { tags, summary: 'Change url, events, enabled or description', security: tenantSecurity, params: EndpointParams, body: PatchEndpointBody, response: { 200: EndpointSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED', 'NOT_FOUND') } },
  }, async (request) => updateEndpoint(ctx, ownerOf(request), request.params.id, request.body));
};
