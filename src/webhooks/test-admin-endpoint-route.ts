import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { EndpointParams, TestSentSchema } from './endpoint-schemas.ts';
import { sendTestEvent } from './deliveries.ts';
import { admin, ADMIN, BASE, tags } from './admin-endpoint-route-kit.ts';

export const registerTestAdminEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.post(`${BASE}/:id/test`, {
    config: admin,
    schema: { tags, summary: 'Send a webhook_endpoint.test event to this endpoint', security: adminSecurity, params: EndpointParams, response: { 202: TestSentSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.status(202).send(await sendTestEvent(ctx, ADMIN, request.params.id)));
};
