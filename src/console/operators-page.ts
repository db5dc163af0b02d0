import type { Ctx } from '../context.ts';
import { listOperators } from '../operators/manage-operators.ts';
import { roleMay } from '../operators/roles.ts';
import { html } from '../web/html.ts';
import type { ConsoleViewer } from './console-http.ts';
import { consoleLayout, dataTable, hiddenCsrf } from './console-shell.ts';

/** The operators page (everyone sees the list; owners create, disable and reset, each showing a one-time link), rendered. */
export async function renderOperators(ctx: Ctx, viewer: ConsoleViewer, link?: { email: string; url: string }): Promise<string> {
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
