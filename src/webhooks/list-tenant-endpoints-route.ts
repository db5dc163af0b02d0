import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { EndpointListSchema, PageQuery } from './endpoint-schemas.ts';
import { listEndpoints } from './manage-endpoints.ts';
import { BASE, ownerOf, read, tags } from './tenant-endpoint-route-kit.ts';

export const registerListTenantEndpointsRoute: RouteRegistrar = (app, ctx) => {
  app.get(BASE, {
    config: read,
    schema: { tags, summary: 'List your webhook endpoints', security: tenantSecurity, querystring: PageQuery, response: { 200: EndpointListSchema, ...errorResponses('CURSOR_INVALID') } },
  }, async (request) => listEndpoints(ctx, ownerOf(request), request.query));
};
