import { auditWrite } from '../audit/audit-log.ts';
import { redeliverEvent } from '../webhooks/deliveries.ts';
import { auditActorOf, guardWrite, sendPage } from './console-http.ts';
import { renderMessage } from './console-shell.ts';
import { refusal } from './ops-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerReplayDeliveryAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/deliveries/:eventId/replay', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'delivery.replay');
    if (!viewer) return reply;
    const eventId = (request.params as { eventId: string }).eventId;
    // The entry commits with the deliveries' reset (store/commit-rider.ts); an unknown event writes neither.
    const result = await auditWrite(ctx, auditActorOf(viewer, request), { action: 'delivery.replay', target: eventId }, () => redeliverEvent(ctx, eventId))
      .catch((err: unknown) => refusal(err));
    if (!result) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noRows, 'NOT_FOUND', viewer), 404);
    return reply.redirect('/admin/deliveries?notice=replayed', 303);
  });
};
