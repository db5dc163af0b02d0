import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../testing/axe.ts';
import { browserAvailable, launchChromium } from '../testing/browser.ts';
import { DOCS_RENDER_TIMEOUT_MS, firstOperationSelector, horizontalOverflowPx, openDocs } from '../testing/docs-browser.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

const E2E_TIMEOUT_MS = 180_000;
const DESKTOP_WIDTH = 1280;
const WIDTHS = [DESKTOP_WIDTH, 390];
const hasBrowser = browserAvailable();

/**
 * The API reference (Scalar, issue 24) in a real browser with nothing but this server: every request the
 * page makes goes to Purse's own origin (anything else is aborted and recorded), at a desktop's and a
 * phone's width.
 */
/** The sidebar (shown at a desktop's width) names every tag the document's operations carry. */
async function expectEveryTagInNavigation(page: Page, doc: { paths: Record<string, Record<string, { tags?: string[] }>> }): Promise<void> {
  const nav = page.getByRole('navigation').first();
  const tags = [...new Set(Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])))];
  expect(tags.length).toBeGreaterThan(1);
  for (const tag of tags) expect(await nav.getByText(tag, { exact: true }).count(), tag).toBeGreaterThan(0);
}

describe.skipIf(!hasBrowser)('/docs in a real browser', { timeout: E2E_TIMEOUT_MS }, () => {
  let purse: TestPurse;
  let browser: Browser;
  let origin: string;
  let doc: { paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> };

  beforeAll(async () => {
    purse = await startTestPurse();
    origin = await purse.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    doc = (await purse.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await purse?.close();
  });

  for (const width of WIDTHS) {
    it(`shows the first operation at ${width} px from this origin alone, axe-clean, without sideways scrolling${width === DESKTOP_WIDTH ? ', every tag in its navigation' : ''}`, async () => {
      const { page, foreign, problems } = await openDocs(browser, origin, width);
      const first = page.locator(firstOperationSelector(doc));
      await first.waitFor({ state: 'visible', timeout: DOCS_RENDER_TIMEOUT_MS });
      const summary = Object.values(Object.values(doc.paths)[0] ?? {})[0]?.summary ?? '';
      await expect(first.getByText(summary).first().isVisible()).resolves.toBe(true);

      expect(await page.title()).toBe('Purse API reference');
      expect(await page.locator('meta[name=viewport]').getAttribute('content')).toContain('width=device-width');
      expect(await horizontalOverflowPx(page)).toBeLessThanOrEqual(0);
      expect(await page.getByText('Explore', { exact: true }).count()).toBe(0);
      expect(await page.locator('img[alt*="Fastify" i], img[src*="logo" i]').count()).toBe(0);
      if (width === DESKTOP_WIDTH) await expectEveryTagInNavigation(page, doc);
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }
});
