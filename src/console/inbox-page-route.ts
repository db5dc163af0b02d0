import { requireOperator } from './console-http.ts';
import { queryOf } from './console-util.ts';
import { showInbox } from './ops-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerInboxPage: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/inbox', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    return viewer ? showInbox(ctx, viewer, reply, queryOf(request).notice) : reply;
  });
};
