import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { AdminPageQuery, EndpointListSchema } from './endpoint-schemas.ts';
import { listEndpoints } from './manage-endpoints.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerListAdminEndpointsRoute: RouteRegistrar = (app, ctx) => {
  app.get(BASE, {
    config: admin,
    schema: { tags, summary: 'List webhook endpoints, newest first', security: adminSecurity, querystring: AdminPageQuery, response: { 200: EndpointListSchema, ...errorResponses('CURSOR_INVALID') } },
  }, async (request) => listEndpoints(ctx, ADMIN, request.query));
};
