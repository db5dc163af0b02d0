import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { EndpointParams, EndpointSchema } from './endpoint-schemas.ts';
import { getEndpoint } from './manage-endpoints.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerReadAdminEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.get(`${BASE}/:id`, {
    config: admin,
    schema: { tags, summary: 'Get a webhook endpoint', security: adminSecurity, params: EndpointParams, response: { 200: EndpointSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => getEndpoint(ctx, ADMIN, request.params.id));
};
