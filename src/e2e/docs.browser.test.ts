import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../testing/browser.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

const E2E_TIMEOUT_MS = 60_000;
const hasBrowser = browserAvailable();

/**
 * The API reference renders in a real browser with nothing but this server: every request the page makes
 * goes to Purse's own origin (anything else is aborted and recorded), and the operations appear.
 */
describe.skipIf(!hasBrowser)('/docs in a real browser', { timeout: E2E_TIMEOUT_MS }, () => {
  let purse: TestPurse;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    purse = await startTestPurse();
    origin = await purse.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await purse?.close();
  });

  it('renders every operation from this origin alone, with no CSP violation', async () => {
    const page = await browser.newPage();
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
    await page.locator('.opblock').first().waitFor();
    const operationIds = await page.locator('.opblock-summary-operation-id').allTextContents();
    const doc = (await purse.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { operationId: string }>> };
    const expected = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    // Every API operation, then the outgoing events (webhooks) after them.
    expect(operationIds).toEqual(expect.arrayContaining(expected));
    expect(operationIds.length).toBeGreaterThan(expected.length);
    expect(await page.title()).toBe('Purse API reference');
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
