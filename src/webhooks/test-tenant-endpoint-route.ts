import { errorResponses, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { EndpointParams, TestSentSchema } from './endpoint-schemas.ts';
import { sendTestEvent } from './deliveries.ts';
import { BASE, ownerOf, tags, write } from './tenant-endpoint-route-kit.ts';

export const registerTestTenantEndpointRoute: RouteRegistrar = (app, ctx) => {
  app.post(`${BASE}/:id/test`, {
    config: write,
    schema: { tags, summary: 'Send a webhook_endpoint.test event to this endpoint', security: tenantSecurity, params: EndpointParams, response: { 202: TestSentSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.status(202).send(await sendTestEvent(ctx, ownerOf(request), request.params.id)));
};
