import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../src/testing/browser.ts';
import { firstOperationSelector } from '../src/testing/docs-browser.ts';
import { freshBenchDatabase } from './fixtures.ts';
import { startPurse } from './processes.ts';
import { spreadText } from './report.ts';
import { spread } from './rounds.ts';

/**
 * `node --import tsx bench/docs-page.ts [--loads N] [--width PX]`: how long `/docs` takes in Debian's
 * Chromium on this machine until the first operation of the document is shown (issue 24's goal: ≤ 1 s), against a real
 * `purse serve` on a fresh SQLite database. One warm-up load first (the server compresses its assets once),
 * then N loads in a fresh browser context each (nothing cached: every byte crosses the wire) and N reloads
 * in one context (the immutable assets come from the browser's cache, as on a second visit).
 * Prints min/median/max and the machine's load average: on a loaded machine the numbers are not the goal's.
 */
const DEFAULT_LOADS = 7;
const DEFAULT_WIDTH = 1280;
const HEIGHT = 800;
const RENDER_TIMEOUT_MS = 60_000;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

async function timedLoads(browser: Browser, url: string, selector: string, loads: number, width: number, shareContext: boolean): Promise<number[]> {
  const times: number[] = [];
  const shared = shareContext ? await browser.newContext({ viewport: { width, height: HEIGHT } }) : undefined;
  if (shared) await (await shared.newPage()).goto(url);
  for (let i = 0; i < loads; i++) {
    const context = shared ?? await browser.newContext({ viewport: { width, height: HEIGHT } });
    const page = await context.newPage();
    const startMs = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator(selector).waitFor({ state: 'visible', timeout: RENDER_TIMEOUT_MS });
    times.push(performance.now() - startMs);
    await page.close();
    if (!shared) await context.close();
  }
  await shared?.close();
  return times;
}

const loads = option('loads', DEFAULT_LOADS);
const width = option('width', DEFAULT_WIDTH);
const db = await freshBenchDatabase('sqlite', '');
const purse = await startPurse(db.url, db.dir);
const browser = await launchChromium();
try {
  const doc = await (await fetch(`${purse.url}/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
  const selector = firstOperationSelector(doc);
  const url = `${purse.url}/docs`;
  const loadBefore = loadavg()[0] ?? Number.NaN;
  await timedLoads(browser, url, selector, 1, width, false);
  const cold = await timedLoads(browser, url, selector, loads, width, false);
  const cached = await timedLoads(browser, url, selector, loads, width, true);
  const loadAfter = loadavg()[0] ?? Number.NaN;
  console.log(`/docs at ${width} px, first operation visible (ms), ${loads} loads each:`);
  console.log(`  fresh context (nothing cached): ${spreadText(spread(cold), 0)}   [${cold.map((t) => t.toFixed(0)).join(', ')}]`);
  console.log(`  same context (assets cached):   ${spreadText(spread(cached), 0)}   [${cached.map((t) => t.toFixed(0)).join(', ')}]`);
  console.log(`  machine: 1-min load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${(await import('node:os')).cpus().length} cores`);
} finally {
  await browser.close();
  await purse.stop();
  await db.close();
}
