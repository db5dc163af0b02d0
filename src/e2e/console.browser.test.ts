import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../operators/roles.ts';
import { admin, setupTenant, type TestTenant } from '../testing/api.ts';
import { seriousA11yViolations } from '../testing/axe.ts';
import { browserAvailable, launchChromium } from '../testing/browser.ts';
import { TEST_OPERATOR_PASSWORD, createTestOperator } from '../testing/console.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { freePort } from '../testing/process.ts';

const E2E_TIMEOUT_MS = 120_000;
const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const TAB_PRESSES_MAX = 12;
const SCREENSHOTS_DIR = new URL('../../docs/screenshots/', import.meta.url).pathname;
const hasBrowser = browserAvailable();

let purse: TestPurse;
let browser: Browser;
let base: string;
let tenant: TestTenant;

// One Purse and one Chromium for the file; without a browser the describe is skipped and these do nothing.
beforeAll(async () => {
  if (!hasBrowser) return;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  purse = await startTestPurse({ PUBLIC_URL: base });
  await purse.app.listen({ port, host: '127.0.0.1' });
  tenant = await setupTenant(purse);
  await purse.ctx.store.db.updateTable('tenants').set({ name: 'Bluebird Telecom', search_name: 'bluebird telecom' }).where('id', '=', tenant.tenantId).execute();
  await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '80', reason: 'welcome credit' });
  await seedFailedDelivery(purse, tenant.tenantId);
  browser = await launchChromium();
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await purse?.close();
});

async function balanceMinor(): Promise<bigint> {
  const row = await purse.ctx.store.db.selectFrom('wallets').select('balance_minor').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
  return BigInt(row.balance_minor);
}

/** axe needs its script injected, so these contexts bypass CSP (the CSP itself is checked over HTTP). */
function contextFor(viewport: { width: number; height: number }): Promise<BrowserContext> {
  return browser.newContext({ locale: 'en-US', viewport, bypassCSP: true });
}

async function check(page: Page, shot?: string): Promise<void> {
  expect(await seriousA11yViolations(page), page.url()).toEqual([]);
  const overflow = await page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
  expect(overflow, `horizontal scroll on ${page.url()}`).toBeLessThanOrEqual(0);
  if (shot && process.env.PURSE_SCREENSHOTS === '1') await page.screenshot({ path: `${SCREENSHOTS_DIR}${shot}.png`, fullPage: true });
}

async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < TAB_PRESSES_MAX; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((want) => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === want, id)) return;
  }
  throw new Error(`Tab never reached #${id}`);
}

/** Keyboard only: Tab to the fields, type, Enter. */
async function logIn(page: Page, email: string): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await check(page, 'console-login');
  await tabTo(page, 'email');
  await page.keyboard.type(email);
  await tabTo(page, 'password');
  await page.keyboard.type(TEST_OPERATOR_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/admin`);
  await check(page, 'console-overview');
}

async function openTenant(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Tenants' }).click();
  await page.getByLabel('Search by name or id').fill('bluebird');
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=bluebird/);
  await check(page, 'console-tenants');
  await page.getByRole('link', { name: 'Bluebird Telecom' }).click();
  await expect.poll(() => page.locator('[data-balance]').textContent()).toMatch(/R\$\s?\d/);
  expect(await page.locator('table').first().textContent()).toContain('welcome credit');
}

async function tryAdjust(page: Page, amount: string): Promise<void> {
  await page.getByLabel(/^Amount/).fill(amount);
  await page.getByLabel('Reason').fill('browser test');
  await page.getByRole('button', { name: 'Review' }).click();
}

/** Owner: the adjustment is reviewed, confirmed, moves the balance and shows in the audit log. */
async function adjustAndFindItAudited(page: Page): Promise<void> {
  const before = await balanceMinor();
  await tryAdjust(page, '15');
  await expect.poll(() => page.locator('[data-confirm]').textContent()).toContain('+15.00 Brazilian reals');
  await check(page, 'console-confirm');
  await page.getByRole('button', { name: 'Confirm adjustment' }).click();
  await page.waitForURL(/notice=adjusted/);
  expect(await balanceMinor()).toBe(before + 1500n);
  await page.getByRole('link', { name: 'Audit log' }).click();
  expect(await page.locator('table').textContent()).toContain('wallet.adjust');
  await check(page, 'console-audit');
}

/** Support and viewer: the review is refused with FORBIDDEN_ROLE and the balance does not move. */
async function adjustIsRefused(page: Page): Promise<void> {
  const before = await balanceMinor();
  await tryAdjust(page, '15');
  expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('FORBIDDEN_ROLE');
  expect(await balanceMinor()).toBe(before);
  await page.goBack();
}

async function issuePortalLink(page: Page): Promise<void> {
  await page.goto(`${base}/admin/tenants/${tenant.tenantId}`);
  await page.getByRole('button', { name: 'Issue a portal link' }).click();
  await expect.poll(() => page.locator('[data-portal-link]').textContent()).toContain('/billing?session=');
}

/** Replays the seeded failed delivery from the Deliveries page: it is pending again. */
async function replayFailedDelivery(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Replay/ }).first().click();
  await page.waitForURL(/notice=replayed/);
  const row = await purse.ctx.store.db.selectFrom('webhook_deliveries').select('state').where('id', '=', 'whd_browser_1').executeTakeFirstOrThrow();
  expect(row.state).toBe('pending');
}

async function visitTheOtherPages(page: Page): Promise<void> {
  for (const link of ['Inbox errors', 'Operators', 'Overview']) {
    await page.getByRole('link', { name: link }).click();
    await check(page);
  }
}

/**
 * The operator console in Chromium, once per role: keyboard-only login, find a tenant by name, read its
 * balance and history, adjust (owner; refused to support and viewer with nothing moved), replay a failed
 * delivery (support), issue a portal link; axe on every page, no horizontal scroll at 390 px.
 * PURSE_SCREENSHOTS=1 also writes the console screenshots to docs/screenshots/.
 */
describe.skipIf(!hasBrowser)('operator console in a real browser', { timeout: E2E_TIMEOUT_MS }, () => {
  for (const [role, viewport] of [['owner', DESKTOP], ['support', MOBILE], ['viewer', MOBILE]] as Array<[Role, typeof DESKTOP]>) {
    it(`${role}: logs in by keyboard, finds a tenant, sees its balance and history, and may only do what the role allows`, async () => {
      const email = await createTestOperator(purse, role, `${role}@example.com`);
      const context = await contextFor(viewport);
      const page = await context.newPage();
      await logIn(page, email);
      await openTenant(page);
      await check(page, role === 'owner' ? 'console-tenant' : undefined);
      if (role === 'owner') await adjustAndFindItAudited(page);
      else await adjustIsRefused(page);
      if (role !== 'viewer') await issuePortalLink(page);
      await page.getByRole('link', { name: 'Deliveries' }).click();
      await check(page, role === 'support' ? 'console-deliveries-mobile' : undefined);
      if (role === 'support') await replayFailedDelivery(page);
      await visitTheOtherPages(page);
      await context.close();
    });
  }
});

async function seedFailedDelivery(purse: TestPurse, tenantId: string): Promise<void> {
  const db = purse.ctx.store.db;
  const nowMs = BigInt(Date.now());
  await db.insertInto('events').values({ id: 'evt_browser_1', type: 'wallet.credited', tenant_id: tenantId, data: '{}', created_at_ms: nowMs, dispatched_at_ms: nowMs }).execute();
  await db.insertInto('webhook_endpoints').values({
    id: 'we_browser_1', tenant_id: tenantId, owner: tenantId, url: 'https://hooks.example/bluebird', description: null, events: '["wallet.credited"]', enabled: 1n,
    secret_salt: 's', previous_secret_salt: null, previous_secret_expires_at_ms: null, failing_since_ms: nowMs, disabled_reason: null, created_at_ms: nowMs, updated_at_ms: nowMs,
  }).execute();
  await db.insertInto('webhook_deliveries').values({
    id: 'whd_browser_1', event_id: 'evt_browser_1', endpoint_id: 'we_browser_1', state: 'failed', attempts: 8n, next_attempt_at_ms: null, claimed_until_ms: null,
    last_status: 500n, last_error: 'HTTP 500', created_at_ms: nowMs, updated_at_ms: nowMs, delivered_at_ms: null,
  }).execute();
}
