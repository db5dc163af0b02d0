import { requireOperator, sendPage } from './console-http.ts';
import { renderOperators } from './operators-page.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerOperatorsPage: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/operators', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    return viewer ? sendPage(reply, viewer, await renderOperators(ctx, viewer)) : reply;
  });
};
