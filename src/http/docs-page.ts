/**
 * A plain, dependency-free docs UI rendered on the server from the OpenAPI document:
 * every operation with its auth, parameters, request schema and responses.
 */
import { escapeHtml } from '../web/html.ts';

type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;


export function renderDocsPage(doc: Json): string {
  const info = (doc.info ?? {}) as Json;
  const paths = (doc.paths ?? {}) as Record<string, Json>;
  const operations: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const anchor = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-');
      toc.push(`<li><a href="#${anchor}"><code>${method.toUpperCase()} ${escapeHtml(path)}</code></a> ${escapeHtml(String(op.summary ?? ''))}</li>`);
      operations.push(renderOperation(anchor, method, path, op));
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(String(info.title ?? 'API'))} — docs</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.75rem;overflow:auto;border-radius:4px}
section{border-top:1px solid #ddd;padding-top:1rem;margin-top:1.5rem}.m{font-weight:700;text-transform:uppercase}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>${escapeHtml(String(info.title ?? 'API'))} <small>${escapeHtml(String(info.version ?? ''))}</small></h1>
<p>${escapeHtml(String(info.description ?? ''))}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Operations</h2><ul>${toc.join('')}</ul>
${operations.join('\n')}
</body></html>`;
}

function renderOperation(anchor: string, method: string, path: string, op: Json): string {
  const security = ((op.security ?? []) as Json[]).flatMap((s) => Object.keys(s));
  const params = ((op.parameters ?? []) as Json[])
    .map((p) => `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escapeHtml(String(p.description ?? ''))}</td></tr>`)
    .join('');
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(([status, r]) => `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(String(r.description ?? ''))}</td></tr>`)
    .join('');
  return `<section id="${anchor}">
<h3><span class="m">${method}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(String(op.description ?? op.summary ?? ''))}</p>
<p>Auth: ${security.length ? security.map((s) => `<code>${escapeHtml(s)}</code>`).join(' or ') : 'none'}</p>
${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>${params}</table>` : ''}
${body ? `<h4>Request body</h4><pre>${escapeHtml(JSON.stringify(body.schema, null, 2))}</pre>` : ''}
<h4>Responses</h4><table><tr><th>status</th><th>meaning</th></tr>${responses}</table>
</section>`;
}
