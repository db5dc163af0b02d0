import type { Browser, Page } from 'playwright-core';

/** How long Scalar may take to show an operation on a loaded 2-core machine before a test gives up. */
export const DOCS_RENDER_TIMEOUT_MS = 90_000;

export interface OpenedDocs {
  page: Page;
  /** Requests to anywhere but this server: aborted, and recorded here. */
  foreign: string[];
  /** Console errors and uncaught exceptions (a CSP violation shows up here). */
  problems: string[];
}

/** `/docs` in a fresh context at `width` × 800 px, with everything off-origin refused. */
export async function openDocs(browser: Browser, origin: string, width: number): Promise<OpenedDocs> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const foreign: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${origin}/docs`);
  return { page, foreign, problems };
}

/** Scalar gives each operation's section the id `…/{METHOD}{path}`: the first one the document lists. */
export function firstOperationSelector(doc: { paths: Record<string, Record<string, unknown>> }): string {
  const [path, item] = Object.entries(doc.paths)[0] ?? [];
  const method = Object.keys(item ?? {})[0];
  if (!path || !method) throw new Error('the document has no operation');
  return `section[id$="/${method.toUpperCase()}${path}"]`;
}

/** The page is no wider than the screen: nothing to scroll sideways. */
export function horizontalOverflowPx(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}
