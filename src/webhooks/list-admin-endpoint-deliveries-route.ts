import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { DeliveryListSchema, EndpointParams, PageQuery } from './endpoint-schemas.ts';
import { listDeliveries } from './deliveries.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerListAdminEndpointDeliveriesRoute: RouteRegistrar = (app, ctx) => {
  app.get(`${BASE}/:id/deliveries`, {
    config: admin,
    schema: { tags, summary: 'Deliveries to this endpoint, newest first', security: adminSecurity, params: EndpointParams, querystring: PageQuery, response: { 200: DeliveryListSchema, ...errorResponses('CURSOR_INVALID', 'NOT_FOUND') } },
  }, async (request) => listDeliveries(ctx, ADMIN, request.params.id, request.query));
};
