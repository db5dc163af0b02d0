import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../testing/axe.ts';
import { browserAvailable, launchChromium } from '../testing/browser.ts';
import { pageLocaleOf } from './page/words.ts';
import { type TestSandbox, startTestSandbox, topupSessionParams } from './test-support.ts';

const TIMEOUT_MS = 120_000;
const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const CANCEL_URL = 'https://merchant.test/billing?topup=cancelled';
const hasBrowser = browserAvailable();
/** PURSE_SCREENSHOTS=1 also writes the pt-BR decline at 390 px to docs/screenshots/. */
const SCREENSHOTS_DIR = new URL('../../docs/screenshots/', import.meta.url).pathname;

/** What each browser sees for R$ 1,358.02 (+10 % Brazilian tax = R$ 1,493.82): its language's words, its locale's numbers. */
const LOCALES = [
  { locale: 'en-US', lang: 'en', total: 'R$1,358.02', payPlusTax: 'Pay R$1,358.02 + tax', pay: 'Pay R$1,493.82', tax: 'Tax (10% · BR)', declined: 'Your card was declined.', next: 'Try another card' },
  { locale: 'pt-BR', lang: 'pt-BR', total: 'R$\u00a01.358,02', payPlusTax: 'Pagar R$\u00a01.358,02 + impostos', pay: 'Pagar R$\u00a01.493,82', tax: 'Impostos (10% · BR)', declined: 'Seu cartão foi recusado.', next: 'Tente outro cartão' },
  { locale: 'de-DE', lang: 'en', total: '1.358,02\u00a0R$', payPlusTax: 'Pay 1.358,02\u00a0R$ + tax', pay: 'Pay 1.493,82\u00a0R$', tax: 'Tax (10\u00a0% · BR)', declined: 'Your card was declined.', next: 'Try another card' },
] as const;
const VIEWPORTS = [['1280', DESKTOP], ['390', MOBILE]] as const;

/**
 * Issue 24: the sandbox's hosted checkout page follows the browser's Accept-Language (en or pt-BR words, any
 * locale's numbers, Intl money with an unambiguous currency) and a declined card says what to do next; axe on
 * the page and on the decline, no sideways scrolling at 390 px.
 */
describe.skipIf(!hasBrowser)('hosted checkout page in the browser\'s language', { timeout: TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestSandbox;
  let customer: Stripe.Customer;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestSandbox();
    customer = await t.stripe.customers.create({ name: 'Acme' });
  }, TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await t?.sandbox.close();
  });

  for (const l of LOCALES) {
    for (const [width, viewport] of VIEWPORTS) {
      it(`${l.locale} at ${width} px: money by Intl, the page's words, a decline that says what to do next`, async () => {
        await declineJourney(browser, t, customer, l, width, viewport);
      });
    }
  }
});

async function expectUsable(page: Page, state: string): Promise<void> {
  expect({ state, violations: await seriousA11yViolations(page) }).toEqual({ state, violations: [] });
  const overflow = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
  expect({ state, overflow }).toEqual({ state, overflow: 0 });
}

/** A payer in one locale: the page's money and words, a declined card, what to do next; axe and width at each step. */
async function declineJourney(browser: Browser, t: TestSandbox, customer: Stripe.Customer, l: (typeof LOCALES)[number], width: string, viewport: { width: number; height: number }): Promise<void> {
  const session = await t.stripe.checkout.sessions.create(topupSessionParams(customer.id, {
    line_items: [{ price_data: { currency: 'brl', unit_amount: 135_802, product_data: { name: 'Wallet top-up' } }, quantity: 1 }],
    billing_address_collection: 'required', automatic_tax: { enabled: true }, cancel_url: CANCEL_URL,
  }));
  const context = await browser.newContext({ locale: l.locale, viewport, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(session.url as string);
  expect(await page.locator('html').getAttribute('lang')).toBe(l.lang);
  expect(await page.locator('#total-amount').textContent()).toBe(l.total);
  expect(await page.locator('#submit').textContent()).toBe(l.payPlusTax);
  await expectUsable(page, 'checkout');

  const words = pageLocaleOf(l.locale).words;
  await page.getByLabel(words.cardNumber, { exact: true }).fill('4000 0000 0000 0002');
  await page.getByLabel(words.cardExpiry).fill('12 / 34');
  await page.getByLabel(words.cardCvc).fill('123');
  await page.getByLabel(`${words.line1}${words.required}`).fill('Av. Paulista, 1000');
  await page.getByLabel(`${words.city}${words.required}`).fill('São Paulo');
  await page.getByLabel(`${words.postalCode}${words.required}`).fill('01310-100');
  await page.getByLabel(`${words.country}${words.required}`).selectOption('BR');
  expect(await page.locator('#submit').textContent()).toBe(l.pay);
  await page.locator('#submit').click();

  const alert = page.locator('#payment-error');
  await alert.waitFor();
  expect(await alert.textContent()).toContain(l.declined);
  expect(await page.locator('#decline-next').textContent()).toContain(l.next);
  expect(await page.locator('#decline-back').getAttribute('href')).toBe(CANCEL_URL);
  expect(await page.locator('dt', { hasText: l.tax }).count()).toBe(1);
  await expectUsable(page, 'declined');
  if (process.env.PURSE_SCREENSHOTS === '1' && l.locale === 'pt-BR' && width === '390') {
    await page.screenshot({ path: `${SCREENSHOTS_DIR}sandbox-checkout-declined-pt-BR.png`, fullPage: true });
  }
  expect((await t.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  await context.close();
}
