import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { admin, asKey, setupTenant, type TestTenant } from '../testing/api.ts';
import { seriousA11yViolations } from '../testing/axe.ts';
import { browserAvailable } from '../testing/browser.ts';
import { useBrowserRig } from '../testing/browser-rig.ts';
import type { Rig } from '../testing/stripe-rig.ts';

const E2E_TIMEOUT_MS = 180_000;
const WAIT_MS = 20_000;
const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const hasBrowser = browserAvailable();
const SCREENSHOTS_DIR = new URL('../../docs/screenshots/', import.meta.url).pathname;
/** PURSE_SCREENSHOTS=1 also writes these (docs/screenshots/), taken with the filters applied. */
const SCREENSHOT_OF: Record<string, string> = { 'en-US@1280': 'billing-history-filtered.png', 'pt-BR@390': 'billing-history-filtered-mobile-pt-BR.png' };

/** The words each browser locale sees (de-DE reads the English catalog with German numbers). */
const LOCALES = [
  { locale: 'en-US', kind: 'Kind', usage: 'Usage', number: 'Number', from: 'From', apply: 'Apply filters', holds: 'Show reservations', show: 'Show', csv: 'Download the filtered history (CSV)', bad: 'is not a date', amount: '-R$1.50' },
  { locale: 'pt-BR', kind: 'Tipo', usage: 'Consumo', number: 'Número', from: 'De', apply: 'Aplicar filtros', holds: 'Mostrar reservas', show: 'Mostrar', csv: 'Baixar o histórico filtrado (CSV)', bad: 'não é uma data', amount: '-R$\u00a01,50' },
  { locale: 'de-DE', kind: 'Kind', usage: 'Usage', number: 'Number', from: 'From', apply: 'Apply filters', holds: 'Show reservations', show: 'Show', csv: 'Download the filtered history (CSV)', bad: 'is not a date', amount: '-1,50\u00a0R$' },
] as const;
const VIEWPORTS = [['1280', DESKTOP], ['390', MOBILE]] as const;

/**
 * Issue 24: the history filters, the holds' state filter and the filtered CSV as a customer uses them, in
 * en-US, pt-BR and de-DE at 1280 and 390 px; axe on each state, no sideways scrolling on a phone.
 */
const e2e = useBrowserRig({ enabled: hasBrowser, timeoutMs: E2E_TIMEOUT_MS, env: { STRIPE_AUTOMATIC_TAX: 'false' } });

describe.skipIf(!hasBrowser)('billing history filters in a real browser', { timeout: E2E_TIMEOUT_MS }, () => {
  for (const l of LOCALES) {
    for (const [width, viewport] of VIEWPORTS) {
      it(`${l.locale} at ${width} px: filter by kind and number, download that CSV, list cancelled holds, a bad date explained`, async () => {
        await filterJourney(e2e.rig, e2e.browser, l, width, viewport);
      });
    }
  }
});

async function tenantWithHistory(rig: Rig): Promise<TestTenant> {
  const tenant = await setupTenant(rig.purse, 'BRL');
  await admin(rig.purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '100', reason: 'Welcome credit' });
  const spend = async (secret: string, amount: string, description: string, key: string) => {
    expect((await asKey(rig.purse, secret, 'POST', '/v1/billing/usage', { amount, description }, { 'idempotency-key': `${tenant.tenantId}-${key}` })).status).toBe(201);
  };
  await spend(tenant.numberKey, '1.50', 'Call to Lisbon, 3 min', 'call');
  await spend(tenant.tenantKey, '2.00', 'Monthly "pro" plan, November', 'plan');
  await asKey(rig.purse, tenant.numberKey, 'POST', '/v1/billing/holds', { amount: '4', expiresInSeconds: 3600, description: 'Call in progress' });
  const voided = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: '1', expiresInSeconds: 3600, description: 'Cancelled render' });
  await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/holds/${voided.body.hold.id}/void`, {});
  return tenant;
}

/** The one-word cells of the history table that wrap inside their word (as "Usag e" did with overflow-wrap:anywhere). */
async function wordsBrokenInHistory(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface Cell { textContent: string | null }
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Cell>; createRange(): { selectNodeContents(n: Cell): void; getClientRects(): Iterable<{ top: number }> } } }).document;
    const broken: string[] = [];
    for (const td of Array.from(doc.querySelectorAll('#history td'))) {
      const text = (td.textContent ?? '').trim();
      if (text === '' || /\s/.test(text)) continue;
      const range = doc.createRange();
      range.selectNodeContents(td);
      if (new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size > 1) broken.push(text);
    }
    return broken;
  });
}

async function expectUsable(page: Page, state: string, width: string): Promise<void> {
  expect({ state, violations: await seriousA11yViolations(page) }).toEqual({ state, violations: [] });
  expect({ state, broken: await wordsBrokenInHistory(page) }).toEqual({ state, broken: [] });
  if (width !== '390') return;
  const overflow = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
  expect({ state, overflow }).toEqual({ state, overflow: 0 });
}

/** One customer's visit: filter, download, holds by state, a bad date; axe and the 390 px width checked at each step. */
async function filterJourney(rig: Rig, browser: Browser, l: (typeof LOCALES)[number], width: string, viewport: { width: number; height: number }): Promise<void> {
  const tenant = await tenantWithHistory(rig);
  const link = (await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {})).body.url as string;
  const context = await browser.newContext({ locale: l.locale, viewport, bypassCSP: true, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(link);
  await page.locator('#history tbody tr').first().waitFor({ timeout: WAIT_MS });
  expect(await page.locator('#history tbody tr').count()).toBe(3);

  await page.getByLabel(l.kind, { exact: true }).selectOption({ label: l.usage });
  await page.getByLabel(l.number, { exact: true }).selectOption({ label: '+5511999990000' });
  await page.getByRole('button', { name: l.apply }).click();
  await page.waitForURL(/kind=usage&number=num_/);
  expect(await page.locator('#history tbody tr').count()).toBe(1);
  expect(await page.locator('#history td[data-label]').nth(3).textContent()).toBe(l.amount);
  await expectUsable(page, 'filtered', width);
  if (process.env.PURSE_SCREENSHOTS === '1' && SCREENSHOT_OF[`${l.locale}@${width}`]) {
    await page.screenshot({ path: `${SCREENSHOTS_DIR}${SCREENSHOT_OF[`${l.locale}@${width}`]}`, fullPage: true });
  }

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: l.csv }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
  expect(csv[0]).toBe('date_utc,kind,kind_label,description,number,amount,currency,balance_after,transaction_id');
  expect(csv[1]).toMatch(new RegExp(`^[0-9T:.Z-]+,usage,${l.usage},"?Call to Lisbon, 3 min"?,'\\+5511999990000,-1\\.50,BRL,98\\.50,txn_`));
  expect(csv.filter((line) => line !== '')).toHaveLength(2);

  await page.getByLabel(l.holds, { exact: true }).selectOption('voided');
  await page.getByRole('button', { name: l.show, exact: true }).click();
  await page.waitForURL(/holds=voided/);
  expect(new URL(page.url()).searchParams.get('kind')).toBe('usage');
  expect(await page.locator('#holds tbody tr').count()).toBe(1);
  expect(await page.locator('#holds').textContent()).toContain('Cancelled render');
  await expectUsable(page, 'holds voided', width);

  await page.goto(`${new URL(page.url()).origin}/billing?from=2026-02-30`);
  expect(await page.locator('#filter-problems').textContent()).toContain(l.bad);
  expect(await page.getByLabel(l.from, { exact: true }).getAttribute('aria-invalid')).toBe('true');
  await expectUsable(page, 'bad date', width);
  await context.close();
}
