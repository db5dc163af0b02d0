import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillHostedCheckout as fillCard, startTestSandbox, topupSessionParams } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];
const browserTestTimeoutMs = 60_000;
const hasChromium = existsSync(chromiumPath);
const browserRequired = process.env.PURSE_REQUIRE_BROWSER === '1';

if (!hasChromium && browserRequired) {
  describe('hosted checkout page in a real browser', () => {
    it('needs Chromium', () => {
      throw new Error(`PURSE_REQUIRE_BROWSER=1 but ${chromiumPath} does not exist; install Chromium (apt-get install chromium).`);
    });
  });
} else if (!hasChromium) {
  console.warn(`Skipping the hosted checkout browser tests: ${chromiumPath} is missing (set PURSE_REQUIRE_BROWSER=1 to make this an error).`);
}

/** The merchant's pages the checkout redirects back to. */
async function startMerchant(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://merchant').pathname;
    const heading = path === '/success' ? 'Top-up successful' : path === '/cancel' ? 'Top-up cancelled' : 'Merchant';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>${heading}</title><h1>${heading}</h1></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

interface CheckoutRig {
  browser: Browser;
  merchant: { origin: string; close(): Promise<void> };
  t: TestSandbox;
  customer: Stripe.Customer;
}

/** One browser, merchant and sandbox for the whole describe that calls this, started once and closed after it. */
function useCheckoutRig(): CheckoutRig {
  const rig = {} as Partial<CheckoutRig>;
  beforeAll(async () => {
    rig.browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    rig.merchant = await startMerchant();
    rig.t = await startTestSandbox();
    rig.customer = await rig.t.stripe.customers.create({});
  }, browserTestTimeoutMs);

  afterAll(async () => {
    await rig.browser?.close();
    await rig.t?.sandbox.close();
    await rig.merchant?.close();
  });
  return rig as CheckoutRig;
}

/** A top-up session that asks for an address and tax, returning to the merchant, opened in a new page. */
async function openCheckout({ t, customer, merchant, browser }: CheckoutRig): Promise<{ session: Stripe.Checkout.Session; page: Page }> {
  const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, {
    billing_address_collection: 'required',
    automatic_tax: { enabled: true },
    success_url: `${merchant.origin}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${merchant.origin}/cancel`,
  }));
  const page = await browser.newPage();
  await page.goto(session.url as string);
  return { session, page };
}

describe.skipIf(!hasChromium)('hosted checkout page in Chromium', { timeout: browserTestTimeoutMs }, () => {
  const rig = useCheckoutRig();

  it('pays with 4242 4242 4242 4242 and lands on the success URL', async () => {
    const { session, page } = await openCheckout(rig);
    expect(await page.locator('#total-amount').textContent()).toBe('R$50.00');
    expect(await page.locator('#tax-amount').textContent()).toBe('Calculated from your billing country');
    await fillCard(page, '4242 4242 4242 4242');
    // The button shows what will be charged, tax included, before it is pressed (no "Update total" needed).
    expect(await page.locator('#submit').textContent()).toBe('Pay R$55.00');
    expect(await page.locator('#total-amount').textContent()).toBe('R$55.00');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(`${rig.merchant.origin}/success?session_id=${session.id}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Top-up successful');
    expect(await rig.t.stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: 'complete', payment_status: 'paid', total_details: { amount_tax: 500 } });
    await page.close();
  });

  it('declines 4000 0000 0000 0002 on the page with a visible message and stays there', async () => {
    const { session, page } = await openCheckout(rig);
    await fillCard(page, '4000 0000 0000 0002');
    await page.getByRole('button', { name: /^Pay / }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toBe('Your card was declined. Nothing was charged. Try another card, or ask your bank why it declined the payment and try again. Go back to the merchant without paying');
    expect(page.url()).toBe(session.url);
    expect((await rig.t.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await page.close();
  });

  it('follows the cancel link to cancel_url', async () => {
    const { session, page } = await openCheckout(rig);
    await page.getByRole('link', { name: 'Cancel and return to the merchant' }).click();
    await page.waitForURL(`${rig.merchant.origin}/cancel`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Top-up cancelled');
    expect((await rig.t.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await page.close();
  });
});
