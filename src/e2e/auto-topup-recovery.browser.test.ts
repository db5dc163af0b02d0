import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import { attemptsOf, autoTopupCredits, autoTopupOf, balanceOf, debit, tenantWithAutoTopup } from '../testing/auto-topup.ts';
import { browserAvailable, launchChromium } from '../testing/browser.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { type Rig, startRig } from '../testing/stripe-rig.ts';

const E2E_TIMEOUT_MS = 90_000;
const hasBrowser = browserAvailable();

/**
 * SCA recovery in Chromium: an off-session charge on 4000002760003184 needs authentication, so auto top-up
 * pauses with a recovery link; the customer opens it, pays with a 3D Secure card, sees the challenge step,
 * completes it, and the webhook credits that attempt once and resumes auto top-up.
 */
describe.skipIf(!hasBrowser)('auto top-up recovery page in a real browser', { timeout: E2E_TIMEOUT_MS }, () => {
  let rig: Rig;
  let browser: Browser;

  beforeAll(async () => {
    rig = await startRig({ currency: 'USD' });
    browser = await launchChromium();
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
  });

  it('shows the 3D Secure challenge for 4000002500003155, and completing it pays the paused attempt', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, card: '4000002760003184' });
    await debit(rig, tenant, 20);
    await runAutoTopups(rig.purse.ctx);
    const paused = await autoTopupOf(rig, tenant);
    expect(paused).toMatchObject({ state: 'paused', pausedReason: 'authentication_required' });

    const page = await browser.newPage();
    // The rig's PUBLIC_URL has nobody listening: the billing page the customer returns to answers here.
    await page.route(`${rig.purse.ctx.config.publicUrl}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><h1>Billing</h1>' }));
    await page.goto(paused.recoveryUrl as string);
    await page.getByLabel('Card number').fill('4000 0025 0000 3155');
    await page.getByLabel('Expiry date (MM / YY)').fill('12 / 34');
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByRole('button', { name: /^Pay US\$20\.00/ }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe("Confirm it's you");
    expect(await page.getByText('card ending in 3155').count()).toBe(1);
    expect(await autoTopupCredits(rig, tenant)).toBe(0);

    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await page.waitForURL(/\/billing\?topup=success/);
    await rig.sandbox.webhooks.idle();
    await expect.poll(async () => (await attemptsOf(rig, tenant))[0]?.state).toBe('succeeded');
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'active', recoveryUrl: null });
    await expectLedgerSound(rig.purse);
    await page.close();
  });
});
