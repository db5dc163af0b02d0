import { listAudit } from '../audit/audit-log.ts';
import { html } from '../web/html.ts';
import { requireOperator, sendPage } from './console-http.ts';
import { consoleLayout, dataTable, renderMessage } from './console-shell.ts';
import { queryOf } from './console-util.ts';
import { refusal } from './ops-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerAuditPage: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/audit', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    if (!viewer) return reply;
    const query = queryOf(request);
    const page = await listAudit(ctx, { actor: query.actor, target: query.target, cursor: query.cursor }).catch((err: unknown) => refusal(err));
    if (!page) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noRows, 'CURSOR_INVALID', viewer), 400);
    const t = viewer.t;
    const rows = page.data.map((e) => [e.at, e.actor, e.role, e.action, e.target ?? '', html`<code>${JSON.stringify(e.before)}</code>`, html`<code>${JSON.stringify(e.after)}</code>`]);
    const next = page.nextCursor ? `?${new URLSearchParams({ ...(query.actor ? { actor: query.actor } : {}), ...(query.target ? { target: query.target } : {}), cursor: page.nextCursor })}` : undefined;
    return sendPage(reply, viewer, consoleLayout(viewer, t.audit, html`<section><form method="get" class="row" action="/admin/audit">
<div><label for="actor">${t.actor}</label><input type="text" id="actor" name="actor" value="${query.actor ?? ''}"></div>
<div><label for="target">${t.target}</label><input type="text" id="target" name="target" value="${query.target ?? ''}"></div><button type="submit">${t.filter}</button></form></section>
<section>${dataTable(t.audit, [t.when, t.actor, t.role, t.action, t.target, t.before, t.afterCol], rows, t.noRows)}${next ? html`<p class="pager"><a href="${next}">${t.next}</a></p>` : ''}</section>`, viewer));
  });
};
