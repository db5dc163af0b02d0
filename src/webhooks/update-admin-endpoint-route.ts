import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { EndpointParams, EndpointSchema, PatchEndpointBody } from './endpoint-schemas.ts';
import { updateEndpoint } from './manage-endpoints.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerUpdateAdminEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.patch(`${BASE}/:id`, {
    config: admin,
    schema: { tags, summary: 'Change url, events, enabled or description', security: adminSecurity, params: EndpointParams, body: PatchEndpointBody, response: { 200: EndpointSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED', 'NOT_FOUND') } },
  }, async (request) => updateEndpoint(ctx, ADMIN, request.params.id, request.body));
};
