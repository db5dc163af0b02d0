import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, topupSessionParams } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;
let customer: Stripe.Customer;

beforeEach(async () => {
  t = await startTestSandbox();
  customer = await t.stripe.customers.create({});
});
afterEach(async () => {
  await t.sandbox.close();
});

const card = { action: 'pay', method: 'card', cardNumber: '4242 4242 4242 4242', cardExpiry: '12 / 34', cardCvc: '123' };
const address = { line1: 'Rua A, 1', city: 'São Paulo', postalCode: '01000-000', country: 'BR' };

async function page(url: string): Promise<{ status: number; html: string }> {
  const response = await fetch(url);
  return { status: response.status, html: await response.text() };
}

async function submit(url: string, fields: Record<string, string>): Promise<{ status: number; location: string | null; html: string }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

async function session(overrides: Stripe.Checkout.SessionCreateParams = {}): Promise<Stripe.Checkout.Session> {
  return t.stripe.checkout.sessions.create(topupSessionParams(customer.id, overrides));
}

describe('honest totals and clear errors', () => {
  it('never charges a total the page did not show: a stale "+ tax" total gets the new total and no charge', async () => {
    const created = await session({ billing_address_collection: 'required', automatic_tax: { enabled: true } });
    const first = await page(created.url as string);
    expect(first.html).toContain('>Pay R$50.00 + tax</button>');
    expect(first.html).toContain('name="shownTotal" id="shownTotal" value="tax-unknown"');
    const stale = await submit(created.url as string, { ...card, ...address, shownTotal: 'tax-unknown' });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('Nothing was charged');
    expect(stale.html).toContain('>Pay R$55.00</button>');
    expect((await t.stripe.checkout.sessions.retrieve(created.id)).status).toBe('open');
    const confirmed = await submit(created.url as string, { ...card, ...address, shownTotal: 'brl:5500' });
    expect(confirmed.status).toBe(303);
    expect(await t.stripe.checkout.sessions.retrieve(created.id)).toMatchObject({ status: 'complete', amount_total: 5500 });
  });

  it('names the card number in a card-number error and marks that field', async () => {
    const created = await session();
    const res = await submit(created.url as string, { ...card, cardNumber: '4242 4242 4242 4241' });
    expect(res.status).toBe(402);
    expect(res.html).toContain('Card number: Your card number is incorrect.');
    expect(res.html).toContain('id="cardNumber" name="cardNumber" value="" aria-invalid="true" aria-describedby="cardNumber-error"');
  });

  it("shows the account's name (the tenant Purse named the customer after)", async () => {
    const named = await t.stripe.customers.create({ name: 'Acme Telecom' });
    const created = await t.stripe.checkout.sessions.create(topupSessionParams(named.id));
    expect((await page(created.url as string)).html).toContain('Account: <strong id="account-name">Acme Telecom</strong>');
  });
});

describe('hosted checkout page over plain HTTP: form, payment and decline', () => {
  it('shows the amount, a labelled card form and a cancel link, with no address or tax when not asked for', async () => {
    const created = await session();
    const { status, html } = await page(created.url as string);
    expect(status).toBe(200);
    expect(html).toContain('R$50.00');
    expect(html).toContain('<label for="cardNumber">Card number</label>');
    expect(html).toContain('href="https://merchant.test/billing?topup=cancelled"');
    expect(html).not.toContain('Billing address');
    expect(html).not.toContain('id="tax-amount"');
  });

  it('asks for a billing address and recomputes tax for the chosen country', async () => {
    const created = await session({ billing_address_collection: 'required', automatic_tax: { enabled: true } });
    const first = await page(created.url as string);
    expect(first.html).toContain('<legend>Billing address</legend>');
    expect(first.html).toContain('Calculated from your billing country');
    const updated = await submit(created.url as string, { ...address, country: 'DE', action: 'update' });
    expect(updated.status).toBe(200);
    expect(updated.html).toContain('Tax (19% · DE)');
    expect(updated.html).toContain('<dd id="tax-amount">R$9.50</dd>');
    expect(updated.html).toContain('<dd id="total-amount">R$59.50</dd>');
  });

  it('pays with 4242 and redirects 303 to success_url with the session id substituted', async () => {
    const created = await session({ billing_address_collection: 'required', automatic_tax: { enabled: true } });
    const paid = await submit(created.url as string, { ...card, ...address });
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(`https://merchant.test/billing?topup=success&session=${created.id}`);
    expect(await t.stripe.checkout.sessions.retrieve(created.id)).toMatchObject({ status: 'complete', payment_status: 'paid', total_details: { amount_tax: 500 } });
  });

  it('declines 4000000000000002 inline with a visible alert and keeps the session open', async () => {
    const created = await session();
    const declined = await submit(created.url as string, { ...card, cardNumber: '4000000000000002' });
    expect(declined.status).toBe(402);
    // The decline says what to do next (issue 24), inside the same announced alert.
    expect(declined.html).toContain('<div class="error" role="alert" id="payment-error">Your card was declined. <span id="decline-next">Nothing was charged. Try another card, or ask your bank why it declined the payment and try again.</span> <a href="https://merchant.test/billing?topup=cancelled" id="decline-back">Go back to the merchant without paying</a></div>');
    expect((await t.stripe.checkout.sessions.retrieve(created.id)).status).toBe('open');
  });

  it('shows 4000002500003155 a 3D Secure challenge on the page before paying', async () => {
    const created = await session();
    const challenged = await submit(created.url as string, { ...card, cardNumber: '4000002500003155' });
    expect(challenged.status).toBe(200);
    expect(challenged.html).toContain('id="challenge-complete"');
    expect((await t.stripe.checkout.sessions.retrieve(created.id)).status).toBe('open');
  });
});

describe('hosted checkout page over plain HTTP: card form validation', () => {
  it.each([
    ['an incomplete card number', { cardNumber: '' }, 'Your card number is incomplete.'],
    ['a wrong card number', { cardNumber: '4242424242424241' }, 'Your card number is incorrect.'],
    ['a past expiry date', { cardExpiry: '01 / 20' }, 'expiration date is in the past'],
    ['a malformed expiry date', { cardExpiry: '13/30' }, 'expiration date is incomplete'],
    ['a missing CVC', { cardCvc: '' }, 'security code is incomplete'],
  ])('explains %s without charging', async (_name, override, message) => {
    const created = await session();
    const refused = await submit(created.url as string, { ...card, ...override });
    expect(refused.html).toContain(message.replace(/'/g, '&#39;'));
    expect((await t.stripe.checkout.sessions.retrieve(created.id)).payment_intent).toBeNull();
  });
});

describe('hosted checkout page over plain HTTP: delayed payment, adaptive pricing and setup', () => {
  it('completes unpaid with the delayed option and still redirects to success_url', async () => {
    const created = await session();
    const done = await submit(created.url as string, { action: 'pay', method: 'delayed' });
    expect(done.status).toBe(303);
    expect(await t.stripe.checkout.sessions.retrieve(created.id)).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
  });

  it('offers another currency with adaptive pricing and records it in presentment_details', async () => {
    const created = await session({ adaptive_pricing: { enabled: true } });
    const preview = await submit(created.url as string, { action: 'update', presentmentCurrency: 'usd' });
    expect(preview.html).toContain('<dd id="presentment-total">US$9.26</dd>');
    expect(preview.html).toContain('Pay US$9.26');
    await submit(created.url as string, { ...card, presentmentCurrency: 'usd' });
    expect(await t.stripe.checkout.sessions.retrieve(created.id)).toMatchObject({
      amount_total: 5000, currency: 'brl', presentment_details: { presentment_amount: 926, presentment_currency: 'usd' },
    });
  });

  it('saves a card in setup mode from the page', async () => {
    const created = await t.stripe.checkout.sessions.create({ mode: 'setup', currency: 'brl', customer: customer.id, success_url: 'https://merchant.test/ok' });
    const form = await page(created.url as string);
    expect(form.html).toContain('Save card');
    const saved = await submit(created.url as string, card);
    expect(saved.location).toBe('https://merchant.test/ok');
    expect((await t.stripe.customers.listPaymentMethods(customer.id)).data).toHaveLength(1);
  });
});

describe('hosted checkout page over plain HTTP: finished sessions, escaping and unknown sessions', () => {
  it('shows a clear page instead of the form once the session is complete or expired', async () => {
    const paidSession = await session();
    await submit(paidSession.url as string, card);
    const completed = await page(paidSession.url as string);
    expect(completed.html).toContain('Payment complete');
    expect(completed.html).not.toContain('<form');
    expect((await submit(paidSession.url as string, card)).status).toBe(409);
    const expiring = await session();
    await t.stripe.checkout.sessions.expire(expiring.id);
    const expired = await page(expiring.url as string);
    expect(expired.html).toContain('This checkout session has expired');
    expect(expired.html).not.toContain('<form');
  });

  it('escapes merchant-provided text', async () => {
    const created = await session({
      line_items: [{ price_data: { currency: 'brl', unit_amount: 5000, product_data: { name: '<script>alert(1)</script>' } }, quantity: 1 }],
    });
    const { html } = await page(created.url as string);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('answers an unknown session with a 404 page', async () => {
    expect((await page(`${t.sandbox.url}/c/pay/cs_test_unknown`)).status).toBe(404);
  });
});
