import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { createOperator, disableOperator, listOperators, resetOperatorPassword } from '../operators/manage-operators.ts';
import { roleMay } from '../operators/roles.ts';
import { html } from '../web/html.ts';
import { formBody } from '../web/page-http.ts';
import { type ConsoleViewer, auditActorOf, guardWrite, requireOperator, sendPage } from './console-http.ts';
import { consoleLayout, dataTable, hiddenCsrf, renderMessage } from './console-shell.ts';

/** Operators: everyone sees the list; owners create, disable and reset (each shows a one-time link). */
export function registerOperatorsPage(app: App, ctx: Ctx, options: object): void {
  app.get('/admin/operators', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    return viewer ? sendPage(reply, viewer, await renderOperators(ctx, viewer)) : reply;
  });
  app.post('/admin/operators', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'operator.create');
    if (!viewer) return reply;
    const body = formBody(request);
    try {
      const link = await createOperator(ctx, auditActorOf(viewer, request), { email: body.email, role: body.role });
      return sendPage(reply, viewer, await renderOperators(ctx, viewer, { email: link.operator.email, url: link.url }));
    } catch (err) {
      if (!(err instanceof PurseError)) throw err;
      return sendPage(reply, viewer, renderMessage(viewer, err.details?.[0]?.message ?? err.message, err.code, viewer), err.status);
    }
  });
  app.post('/admin/operators/:id/disable', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'operator.disable');
    if (!viewer) return reply;
    await disableOperator(ctx, auditActorOf(viewer, request), (request.params as { id: string }).id);
    return reply.redirect('/admin/operators', 303);
  });
  app.post('/admin/operators/:id/reset-password', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'operator.reset_password');
    if (!viewer) return reply;
    const link = await resetOperatorPassword(ctx, auditActorOf(viewer, request), (request.params as { id: string }).id);
    return sendPage(reply, viewer, await renderOperators(ctx, viewer, { email: link.operator.email, url: link.url }));
  });
}

async function renderOperators(ctx: Ctx, viewer: ConsoleViewer, link?: { email: string; url: string }): Promise<string> {
  const t = viewer.t;
  const owner = roleMay(viewer.operator.role, 'operator.create');
  const rows = (await listOperators(ctx)).map((o) => [o.email, o.role, o.status, owner && o.status === 'active' ? html`<div class="actions">
<form method="post" action="/admin/operators/${o.id}/reset-password">${hiddenCsrf(viewer)}<button type="submit">${t.resetPassword}<span class="sr"> ${o.email}</span></button></form>
<form method="post" action="/admin/operators/${o.id}/disable">${hiddenCsrf(viewer)}<button type="submit">${t.disable}<span class="sr"> ${o.email}</span></button></form></div>` : '']);
  const create = owner ? html`<section><h2>${t.create}</h2><form method="post" action="/admin/operators">${hiddenCsrf(viewer)}
<label for="email">${t.email}</label><input type="text" id="email" name="email" required><label for="role">${t.role}</label>
<select id="role" name="role"><option value="viewer">viewer</option><option value="support">support</option><option value="owner">owner</option></select>
<p><button type="submit">${t.create}</button></p></form></section>` : '';
  const shown = link ? html`<div class="banner ok" role="status"><p>${t.linkFor(link.email)}</p><p><code data-set-password-link>${link.url}</code></p></div>` : '';
  return consoleLayout(viewer, t.operators, html`${shown}<section>${dataTable(t.operators, [t.email, t.role, t.status, ''], rows, t.noRows)}</section>${create}`, viewer);
}
