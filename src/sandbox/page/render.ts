import type { SessionRecord } from '../checkout-types.ts';
import { canConvert, computeTaxMinor, convertMinor, formatMinor, presentmentCurrencies, taxRateBasisPoints } from '../money.ts';
import { Html, html, layout } from './html.ts';
import { LIVE_TOTALS_SCRIPT } from './live-totals-script.ts';

export type FormValues = Record<string, string>;

export interface CheckoutView {
  record: SessionRecord;
  values: FormValues;
  /** Country to compute tax with when the form has none yet (e.g. the customer's saved address). */
  fallbackCountry: string | null;
  error: string | null;
  /** The Stripe error code, so a card-number error is shown and announced at the card number. */
  errorCode?: string | null;
  /** The customer's name (Purse names its customers after the tenant), shown so the payer knows the account. */
  customerName?: string | null;
}

const countries: readonly (readonly [string, string])[] = [
  ['US', 'United States'], ['BR', 'Brazil'], ['GB', 'United Kingdom'], ['DE', 'Germany'], ['FR', 'France'],
  ['ES', 'Spain'], ['IT', 'Italy'], ['NL', 'Netherlands'], ['PT', 'Portugal'], ['IE', 'Ireland'],
  ['CA', 'Canada'], ['MX', 'Mexico'], ['JP', 'Japan'], ['AU', 'Australia'],
];
const basisPointsPerPercent = 100;

interface Totals {
  subtotal: number;
  tax: number | null;
  total: number;
  country: string | null;
}

function totalsFor(view: CheckoutView, countryChoice?: string | null): Totals {
  const { session, lineItems } = view.record;
  const subtotal = lineItems.reduce((sum, item) => sum + item.unitAmountMinor * item.quantity, 0);
  const country = countryChoice !== undefined ? countryChoice : view.values.country || view.fallbackCountry;
  if (!session.automatic_tax.enabled) return { subtotal, tax: 0, total: subtotal, country };
  if (!country) return { subtotal, tax: null, total: subtotal, country: null };
  const tax = computeTaxMinor(subtotal, country);
  return { subtotal, tax, total: subtotal + tax, country };
}

/** What the Pay button says and charges for a country and currency: the total with tax, never less. */
export interface PayFigures {
  label: string;
  /** `currency:amountMinor` of the total shown; the page posts it back so a charge never differs from it. */
  token: string;
  tax: string;
  total: string;
  presentment: string;
}

export function payFigures(view: CheckoutView, country: string | null, payCurrency: string): PayFigures {
  const currency = view.record.session.currency ?? 'usd';
  const totals = totalsFor(view, country);
  const payMinor = payCurrency === currency ? totals.total : convertMinor(totals.total, currency, payCurrency);
  const taxUnknown = totals.tax === null;
  return {
    label: taxUnknown ? `Pay ${formatMinor(payMinor, payCurrency)} + tax` : `Pay ${formatMinor(payMinor, payCurrency)}`,
    token: taxUnknown ? 'tax-unknown' : `${payCurrency}:${payMinor}`,
    tax: totals.tax === null ? 'Calculated from your billing country' : formatMinor(totals.tax, currency),
    total: formatMinor(totals.total, currency),
    presentment: formatMinor(payMinor, payCurrency),
  };
}

/** The token of what the current form values would charge (see PayFigures.token). */
export function payToken(view: CheckoutView, payCurrency: string): string {
  return payFigures(view, view.values.country || view.fallbackCountry, payCurrency).token;
}

export function offeredCurrencies(record: SessionRecord): string[] {
  const currency = record.session.currency ?? 'usd';
  if (!record.session.adaptive_pricing?.enabled) return [currency];
  return [currency, ...presentmentCurrencies.filter((other) => other !== currency && canConvert(currency, other))];
}

function summary(view: CheckoutView, totals: Totals, payCurrency: string): Html {
  const currency = view.record.session.currency ?? 'usd';
  const items = view.record.lineItems.map((item) =>
    html`<li><span>${item.name}${item.quantity > 1 ? ` × ${item.quantity}` : ''}</span><span>${formatMinor(item.unitAmountMinor * item.quantity, currency)}</span></li>`);
  const taxLabel = totals.country ? `Tax (${taxRateBasisPoints(totals.country) / basisPointsPerPercent}% · ${totals.country})` : 'Tax';
  const taxLine = view.record.session.automatic_tax.enabled
    ? html`<div><dt>${taxLabel}</dt><dd id="tax-amount">${totals.tax === null ? 'Calculated from your billing country' : formatMinor(totals.tax, currency)}</dd></div>`
    : '';
  const converted = payCurrency !== currency
    ? html`<div><dt>You pay in ${payCurrency.toUpperCase()}</dt><dd id="presentment-total">${formatMinor(convertMinor(totals.total, currency, payCurrency), payCurrency)}</dd></div>
      <p class="note">The merchant is charged ${formatMinor(totals.total, currency)}; the conversion uses the sandbox's fixed rates.</p>`
    : '';
  return html`<section aria-labelledby="summary-heading">
  <h2 id="summary-heading">Order summary</h2>
  <ul class="items">${items}</ul>
  <dl class="totals">
    <div><dt>Subtotal</dt><dd id="subtotal-amount">${formatMinor(totals.subtotal, currency)}</dd></div>
    ${taxLine}
    <div class="total"><dt>Total due</dt><dd id="total-amount">${formatMinor(totals.total, currency)}</dd></div>
    ${converted}
  </dl>
</section>`;
}

function textField(id: string, label: string, values: FormValues, extra: { required?: boolean; autocomplete?: string; placeholder?: string; inputmode?: string; invalid?: boolean } = {}): Html {
  return html`<label for="${id}">${label}${extra.required ? ' (required)' : ''}</label>
<input type="text" id="${id}" name="${id}" value="${values[id] ?? ''}"${extra.invalid ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}${extra.required ? html` required` : ''}${extra.autocomplete ? html` autocomplete="${extra.autocomplete}"` : ''}${extra.placeholder ? html` placeholder="${extra.placeholder}"` : ''}${extra.inputmode ? html` inputmode="${extra.inputmode}"` : ''}>`;
}

function methodChoice(values: FormValues): Html {
  const delayed = values.method === 'delayed';
  return html`<fieldset>
  <legend>Payment method</legend>
  <label class="choice"><input type="radio" name="method" value="card"${delayed ? '' : html` checked`}> Card</label>
  <label class="choice"><input type="radio" name="method" value="delayed"${delayed ? html` checked` : ''}> Delayed payment (bank transfer or voucher; settles later)</label>
</fieldset>`;
}

const CARD_NUMBER_ERROR_CODES = ['incorrect_number', 'incomplete_number', 'invalid_number'];
/** What a declined payer can do next (issue 24): nothing was charged, another card or the bank may help. */
const DECLINE_NEXT_STEP = 'Nothing was charged. Try another card, or ask your bank why it declined the payment and try again.';

function cardFields(values: FormValues, hasError: boolean, numberError: string | null): Html {
  return html`<fieldset${hasError && !numberError ? html` aria-describedby="payment-error"` : ''}>
  <legend>Card details</legend>
  ${textField('cardNumber', 'Card number', values, { autocomplete: 'cc-number', placeholder: '4242 4242 4242 4242', inputmode: 'numeric', invalid: numberError !== null })}
  ${numberError ? html`<p class="field-error" id="cardNumber-error">Card number: ${numberError}</p>` : ''}
  ${textField('cardExpiry', 'Expiry date (MM / YY)', values, { autocomplete: 'cc-exp', placeholder: 'MM / YY' })}
  ${textField('cardCvc', 'Security code (CVC)', values, { autocomplete: 'cc-csc', placeholder: '123', inputmode: 'numeric' })}
  ${textField('cardName', 'Name on card', values, { autocomplete: 'cc-name' })}
</fieldset>`;
}

function addressFields(values: FormValues, required: boolean): Html {
  const options = countries.map(([code, name]) => html`<option value="${code}"${values.country === code ? html` selected` : ''}>${name}</option>`);
  return html`<fieldset>
  <legend>Billing address</legend>
  ${textField('line1', 'Address line 1', values, { required, autocomplete: 'address-line1' })}
  ${textField('line2', 'Address line 2', values, { autocomplete: 'address-line2' })}
  ${textField('city', 'City', values, { required, autocomplete: 'address-level2' })}
  ${textField('state', 'State or region', values, { autocomplete: 'address-level1' })}
  ${textField('postalCode', 'Postal code', values, { required, autocomplete: 'postal-code' })}
  <label for="country">Country (required)</label>
  <select id="country" name="country" required autocomplete="country"><option value="">Select a country</option>${options}</select>
</fieldset>`;
}

function currencyChoice(record: SessionRecord, payCurrency: string): Html {
  const options = offeredCurrencies(record).map((currency) =>
    html`<option value="${currency}"${currency === payCurrency ? html` selected` : ''}>${currency.toUpperCase()}</option>`);
  return html`<label for="presentmentCurrency">Pay in currency</label>
<select id="presentmentCurrency" name="presentmentCurrency">${options}</select>`;
}

export function renderCheckoutPage(view: CheckoutView): string {
  const { session } = view.record;
  const currency = session.currency ?? 'usd';
  const payCurrency = offeredCurrencies(view.record).includes(view.values.presentmentCurrency ?? '') ? (view.values.presentmentCurrency as string) : currency;
  const totals = totalsFor(view);
  const isPayment = session.mode === 'payment';
  const needsAddress = session.billing_address_collection === 'required' || session.automatic_tax.enabled;
  const canUpdate = isPayment && (session.automatic_tax.enabled || offeredCurrencies(view.record).length > 1);
  const figures = payFigures(view, view.values.country || view.fallbackCountry, payCurrency);
  const numberError = view.error && CARD_NUMBER_ERROR_CODES.includes(view.errorCode ?? '') ? view.error : null;
  const body = html`<h1>${isPayment ? 'Complete your payment' : 'Save a card for future payments'}</h1>
${view.customerName ? html`<p class="account">Account: <strong id="account-name">${view.customerName}</strong></p>` : ''}
${isPayment ? summary(view, totals, payCurrency) : html`<p>Your card will be saved for later payments. You are not charged now.</p>`}
<form method="post" action="/c/pay/${session.id}">
  ${view.error && !numberError ? html`<div class="error" role="alert" id="payment-error">${view.error}${view.errorCode === 'card_declined' ? html` <span id="decline-next">${DECLINE_NEXT_STEP}</span>` : ''}</div>` : ''}
  ${numberError ? html`<div class="error" role="alert">Check the card number: ${numberError}</div>` : ''}
  <label for="email">Email</label>
  <input type="email" id="email" name="email" autocomplete="email" value="${view.values.email ?? session.customer_email ?? ''}">
  ${isPayment ? methodChoice(view.values) : ''}
  ${cardFields(view.values, view.error !== null, numberError)}
  ${needsAddress ? addressFields(view.values, true) : ''}
  ${isPayment && offeredCurrencies(view.record).length > 1 ? currencyChoice(view.record, payCurrency) : ''}
  ${isPayment ? html`<input type="hidden" name="shownTotal" id="shownTotal" value="${figures.token}">` : ''}
  <div class="actions">
    <button type="submit" name="action" value="pay" class="primary" id="submit">${isPayment ? figures.label : 'Save card'}</button>
    ${canUpdate ? html`<button type="submit" name="action" value="update" class="secondary" formnovalidate>Update total</button>` : ''}
  </div>
</form>
${session.cancel_url ? html`<p><a href="${session.cancel_url}" id="cancel-link">Cancel and return to the merchant</a></p>` : ''}
<details><summary>Test cards</summary><ul class="note">
  <li>4242 4242 4242 4242: succeeds</li><li>4000 0000 0000 0002: declined</li>
  <li>4000 0025 0000 3155: asks for authentication here; once saved, later off-session charges pass</li>
  <li>4000 0027 6000 3184: asks for authentication every time</li>
  <li>Any future expiry date and any 3-digit CVC.</li>
</ul></details>
${canUpdate ? liveTotals(view) : ''}`;
  return layout(isPayment ? 'Checkout · Stripe sandbox' : 'Save card · Stripe sandbox', body);
}

/**
 * Progressive: every (country, currency) total computed here, so the Pay button shows the amount with tax
 * as soon as the country is chosen, before any click. Without JavaScript, "Update total" does the same.
 */
function liveTotals(view: CheckoutView): Html {
  const table: Record<string, PayFigures> = {};
  for (const payCurrency of offeredCurrencies(view.record)) {
    for (const country of ['', ...countries.map(([code]) => code)]) {
      table[`${country}|${payCurrency}`] = payFigures(view, country || view.fallbackCountry, payCurrency);
    }
  }
  const data = JSON.stringify({ currency: view.record.session.currency ?? 'usd', figures: table }).replace(/</g, '\\u003c');
  return html`<script type="application/json" id="totals-data">${new Html(data)}</script>
<script>${new Html(LIVE_TOTALS_SCRIPT)}</script>`;
}

export function successUrlFor(record: SessionRecord): string | null {
  const url = record.session.success_url;
  return url ? url.replaceAll('{CHECKOUT_SESSION_ID}', record.session.id).replaceAll('%7BCHECKOUT_SESSION_ID%7D', record.session.id) : null;
}

/** Shown instead of the form once a session is complete or expired. */
export function renderClosedPage(record: SessionRecord): string {
  const { session } = record;
  const complete = session.status === 'complete';
  const heading = complete ? (session.mode === 'setup' ? 'Card saved' : session.payment_status === 'paid' ? 'Payment complete' : 'Payment processing') : 'This checkout session has expired';
  const link = complete ? successUrlFor(record) : session.cancel_url;
  const body = html`<h1 id="closed-heading">${heading}</h1>
<p>${complete ? 'This checkout session is complete; it cannot be paid again.' : 'The time to pay has run out. Start again from the merchant to get a new checkout link.'}</p>
${link ? html`<p><a href="${link}">Return to the merchant</a></p>` : ''}`;
  return layout(`${heading} · Stripe sandbox`, body);
}

export function renderNotFoundPage(): string {
  return layout('Not found · Stripe sandbox', html`<h1>Checkout session not found</h1><p>Check the link, or ask the merchant for a new one.</p>`);
}
