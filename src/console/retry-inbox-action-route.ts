import { retryInbox } from './ops-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerRetryInboxAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/inbox/:eventId/retry', options, async (request, reply) => retryInbox(ctx, request, reply));
};
