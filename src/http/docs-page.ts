import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../api/kit.ts';
import { defineAsset } from '../api/static-assets.ts';

/**
 * `/docs`: the API reference, rendered in the browser by Scalar's standalone bundle (shipped inside the
 * pinned `@scalar/fastify-api-reference` package, served from this server under a content-hashed name)
 * from `/openapi.json`. Nothing is fetched from anywhere else: no fonts, no telemetry, no proxy.
 */
export const DOCS_PATH = '/docs';
export const DOCS_TITLE = 'Purse API reference';

const SCALAR_BUNDLE = defineAsset('scalar', 'js', 'application/javascript; charset=utf-8', () => {
  const pluginEntry = createRequire(import.meta.url).resolve('@scalar/fastify-api-reference');
  return readFileSync(join(dirname(pluginEntry), 'js', 'standalone.js'));
});

/**
 * Our adjustments to Scalar's look, for a phone and for axe: Scalar's muted text colours are darkened to
 * reach 4.5:1 on its backgrounds (WCAG 1.4.3), and nothing may widen the page past the screen.
 */
const DOCS_STYLES = `
html,body{margin:0;overflow-x:hidden}
.light-mode{--scalar-color-2:#4a4f57;--scalar-color-3:#555b64;--scalar-color-accent:#1d4ed8;--scalar-color-green:#0a6b34;
--scalar-color-red:#b42318;--scalar-color-yellow:#8a5a00;--scalar-color-blue:#1d4ed8;--scalar-color-orange:#9a3c00;--scalar-color-purple:#6d28d9}
.dark-mode{--scalar-color-2:#c5c9cf;--scalar-color-3:#b4b9c0}
.scalar-app :focus-visible{outline:3px solid currentColor;outline-offset:2px}
.scalar-card-content:has(>.endpoints),.endpoints{max-height:none!important;overflow:visible!important}
`;
const DOCS_CSS = defineAsset('docs', 'css', 'text/css; charset=utf-8', () => DOCS_STYLES);

/**
 * Repairs to Scalar's markup that no option reaches (axe, WCAG 4.1.2 and 2.5.3), re-applied whenever Vue
 * renders more: the sidebar's buttons carry aria-selected (not allowed on a button: aria-current says it),
 * the search button's role="search" hides its label, icon-only copy buttons have no name, and "Show More"
 * buttons carry a label that omits their visible text.
 */
const DOCS_REPAIR_SCRIPT = `(function(){
function repair(){
document.querySelectorAll('button[aria-selected]').forEach(function(b){
if(b.getAttribute('aria-selected')==='true')b.setAttribute('aria-current','location');else b.removeAttribute('aria-current');
b.removeAttribute('aria-selected')});
document.querySelectorAll('button[role=search]').forEach(function(b){b.removeAttribute('role')});
document.querySelectorAll('button.scalar-code-copy:not([aria-label])').forEach(function(b){b.setAttribute('aria-label','Copy code')});
document.querySelectorAll('button.show-more[aria-label]').forEach(function(b){
var text=(b.textContent||'').trim(),label=b.getAttribute('aria-label')||'';
if(text&&label.toLowerCase().indexOf(text.toLowerCase())!==0)b.setAttribute('aria-label',text+': '+label)});
}
var queued=false;
function later(){if(queued)return;queued=true;requestAnimationFrame(function(){queued=false;repair()})}
new MutationObserver(later).observe(document.documentElement,{subtree:true,childList:true,attributes:true,attributeFilter:['aria-selected','aria-label','role']});
repair();
})();`;
const DOCS_REPAIR = defineAsset('docs-repair', 'js', 'application/javascript; charset=utf-8', () => DOCS_REPAIR_SCRIPT);

/** What Scalar shows: a read-only reference (no request client, no developer toolbar), system fonts. */
const SCALAR_CONFIGURATION = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  hideTestRequestButton: true,
  showDeveloperTools: 'never',
  showOperationId: true,
  documentDownloadType: 'json',
  theme: 'default',
  agent: { disabled: true },
  hiddenClients: true,
};

/** Everything the page loads comes from this origin; Scalar's components set inline styles. */
export const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function docsHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${DOCS_TITLE}</title>
<link rel="icon" href="data:,">
<link rel="preload" href="${SCALAR_BUNDLE.url}" as="script">
<link rel="stylesheet" href="${DOCS_CSS.url}">
</head>
<body>
<div id="api-reference" hidden data-configuration="${escapeAttribute(JSON.stringify(SCALAR_CONFIGURATION))}"></div>
<script src="${SCALAR_BUNDLE.url}"></script>
<script src="${DOCS_REPAIR.url}"></script>
</body>
</html>
`;
}

/** The page names the assets' hashed URLs, so it is built on the first visit: a server nobody reads docs on never loads Scalar. */
export function registerDocsPage(app: App): void {
  let page: string | undefined;
  const route = { schema: { hide: true }, config: { auth: { kind: 'public' as const } } };
  const answer = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    page ??= docsHtml();
    return reply.type('text/html; charset=utf-8').header('content-security-policy', DOCS_CSP).header('cache-control', 'no-cache').send(page);
  };
  app.get(DOCS_PATH, route, answer);
  app.get(`${DOCS_PATH}/`, route, answer);
}
