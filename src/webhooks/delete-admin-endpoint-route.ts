import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { DeletedSchema, EndpointParams } from './endpoint-schemas.ts';
import { deleteEndpoint } from './manage-endpoints.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerDeleteAdminEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.delete(`${BASE}/:id`, {
    config: admin,
    schema: { tags, summary: 'Delete a webhook endpoint and its deliveries', security: adminSecurity, params: EndpointParams, response: { 200: DeletedSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => deleteEndpoint(ctx, ADMIN, request.params.id));
};
