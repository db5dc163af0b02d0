import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { DeliveryListSchema, EndpointParams, PageQuery } from './endpoint-schemas.ts';
import { listDeliveries } from './deliveries.ts';
import { BASE, ownerOf, read, tags } from './tenant-endpoint-route-kit.ts';

export const registerListTenantEndpointDeliveriesRoute: RouteRegistrar = (app, ctx) => {
  app.get(`${BASE}/:id/deliveries`, {
    config: read,
    schema: { tags, summary: 'Deliveries to this endpoint, newest first', security: tenantSecurity, params: EndpointParams, querystring: PageQuery, response: { 200: DeliveryListSchema, ...errorResponses('CURSOR_INVALID', 'NOT_FOUND') } },
  }, async (request) => listDeliveries(ctx, ownerOf(request), request.params.id, request.query));
};
