import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { redeliverEvent } from './deliveries.ts';
import { admin, tags } from './admin-endpoint-route-kit.ts';

export const registerRedeliverEventRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/events/:eventId/redeliver', {
    config: admin,
    schema: {
      tags, summary: 'Deliver an event again to every endpoint it matches (same webhook-id)', security: adminSecurity,
      params: Type.Object({ eventId: Type.String({ maxLength: 64 }) }),
      response: { 202: Type.Object({ eventId: Type.String(), deliveries: Type.Number() }), ...errorResponses('NOT_FOUND') },
    },
  }, async (request, reply) => reply.status(202).send(await redeliverEvent(ctx, request.params.eventId)));
};
