import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillHostedCheckout } from '../sandbox/test-support.ts';
import { browserAvailable, launchChromium } from '../testing/browser.ts';
import { freshDatabase } from '../testing/harness.ts';
import { type RunningProcess, freePort, startPurseProcess } from '../testing/process.ts';

const E2E_TIMEOUT_MS = 90_000;
const hasBrowser = browserAvailable();

/**
 * The newcomer's path, end to end: `purse serve` (a real process, SQLite, the in-process sandbox),
 * the printed demo key, a checkout link, Chromium paying with 4242 on the hosted page, the success
 * page, and the wallet credited by the webhook.
 */
describe.skipIf(!hasBrowser)('top-up in a real browser against a real Purse process', { timeout: E2E_TIMEOUT_MS }, () => {
  let browser: Browser;
  let purse: RunningProcess;
  let baseUrl: string;
  let publicUrl: string;
  let tenantKey: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    drop = db.drop;
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // A name other than the address Purse binds: the checkout URL must follow PUBLIC_URL, not 127.0.0.1.
    publicUrl = `http://localhost:${port}`;
    purse = startPurseProcess(['serve'], {
      DATABASE_URL: db.url, PORT: String(port), PUBLIC_URL: publicUrl, LOG_LEVEL: 'warn',
      PURSE_DATA_DIR: db.url.slice('sqlite:'.length).replace(/\/[^/]+$/, ''), STRIPE_SANDBOX_PORT: String(await freePort()),
    });
    tenantKey = (await purse.waitFor(/tenant key (ps_[A-Za-z0-9_-]+)/))[1]!;
    browser = await launchChromium();
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await purse?.stop();
    await drop?.();
  });

  const wallet = async () => (await (await fetch(`${baseUrl}/v1/billing/wallet`, { headers: { 'x-api-key': tenantKey } })).json()) as { balance: number };

  it('pays 50 BRL with 4242 4242 4242 4242, lands on the success page, and the wallet shows the credit', async () => {
    const res = await fetch(`${baseUrl}/v1/billing/checkout`, {
      method: 'POST', headers: { 'x-api-key': tenantKey, 'content-type': 'application/json' }, body: JSON.stringify({ purpose: 'wallet_topup', amount: 50 }),
    });
    const checkout = (await res.json()) as { url: string; orderId: string };
    expect(res.status).toBe(200);
    // The hosted page's host is PUBLIC_URL's, so the customer's browser can reach it.
    expect(new URL(checkout.url).hostname).toBe(new URL(publicUrl).hostname);
    expect((await wallet()).balance).toBe(0);

    const page = await browser.newPage();
    await page.goto(checkout.url);
    await fillHostedCheckout(page, '4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay / }).click();

    await page.waitForURL(`${publicUrl}/billing?topup=success&order=${checkout.orderId}`);
    // Without a billing session the landing page never claims the credit; it says the payment was submitted.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Payment submitted');
    // The credit comes from the webhook, which may land just after the redirect: wait for the condition.
    await expect.poll(async () => (await wallet()).balance, { timeout: 10_000 }).toBe(50);
    const order = (await (await fetch(`${baseUrl}/v1/billing/checkout/${checkout.orderId}`, { headers: { 'x-api-key': tenantKey } })).json()) as { state: string };
    expect(order.state).toBe('paid');
    await page.close();
  });
});
