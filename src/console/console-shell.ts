import { type Html, html } from '../web/html.ts';
import { layout } from '../web/page-shell.ts';
import type { ConsolePage, ConsoleViewer } from './console-viewer.ts';

/** The console's frame: the billing page's look (same stylesheet), a skip link, a nav that wraps at 390 px. */
export function consoleLayout(page: ConsolePage, title: string, body: Html, viewer?: ConsoleViewer): string {
  const t = page.t;
  const nav = viewer ? html`<nav aria-label="${t.console}" class="actions">
<a href="/admin">${t.overview}</a> <a href="/admin/tenants">${t.tenants}</a> <a href="/admin/deliveries">${t.events}</a>
<a href="/admin/inbox">${t.inbox}</a> <a href="/admin/audit">${t.audit}</a> <a href="/admin/operators">${t.operators}</a></nav>
<form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="${viewer.csrf}"><span class="hint">${viewer.operator.email} · ${viewer.operator.role}</span> <button type="submit">${t.logout}</button></form>` : '';
  const header = html`<a class="sr" href="#main">${t.skip}</a><header><p><strong>${t.console}</strong></p>${nav}</header>`;
  return layout({ lang: page.lang, title: `${title} · ${t.console}`, nonce: page.nonce, header, body: html`<h1>${title}</h1>${body}` });
}

export function renderMessage(page: ConsolePage, text: string, code: string, viewer?: ConsoleViewer): string {
  return consoleLayout(page, page.t.console, html`<div class="banner error" role="alert" data-code="${code}"><p>${text}</p></div>`, viewer);
}

/** A table that reads well on a phone (cells carry their column name, like the billing page's history). */
export function dataTable(caption: string, columns: string[], rows: Array<Array<string | Html>>, empty: string): Html {
  if (rows.length === 0) return html`<p>${empty}</p>`;
  return html`<table><caption class="sr">${caption}</caption><thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((cell, i) => html`<td data-label="${columns[i] ?? ''}">${cell}</td>`)}</tr>`)}</tbody></table>`;
}

export function hiddenCsrf(viewer: ConsoleViewer): Html {
  return html`<input type="hidden" name="csrf" value="${viewer.csrf}">`;
}

export function notice(text: string | undefined): Html | string {
  return text ? html`<div class="banner ok" role="status"><p>${text}</p></div>` : '';
}
