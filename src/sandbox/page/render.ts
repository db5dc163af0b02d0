import type { SessionRecord } from '../checkout-types.ts';
import { canConvert, computeTaxMinor, convertMinor, currencyExponent, presentmentCurrencies, taxRateBasisPoints } from '../money.ts';
import { Html, html, layout } from './html.ts';
import { LIVE_TOTALS_SCRIPT } from './live-totals-script.ts';
import { DEFAULT_PAGE_LOCALE, type PageLocale, type Words, cardErrorText, countryName, formatMoney, percent } from './words.ts';

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
  /** Stripe's decline code of a declined card, to say it in the page's words. */
  declineCode?: string | null;
  /** The browser's language and locale (Accept-Language); English with en numbers when absent. */
  page?: PageLocale;
}

function pageOf(view: CheckoutView): PageLocale {
  return view.page ?? DEFAULT_PAGE_LOCALE;
}

/** An amount in the page's locale (Intl), never ambiguous about the currency (words.ts). */
export function money(view: Pick<CheckoutView, 'page'>, amountMinor: number, currency: string): string {
  return formatMoney(amountMinor, currency, currencyExponent(currency), (view.page ?? DEFAULT_PAGE_LOCALE).locale);
}

/** Billing countries offered, shown by Intl in the page's language (the English name when Intl has none). */
const countries: readonly (readonly [string, string])[] = [
  ['US', 'United States'], ['BR', 'Brazil'], ['GB', 'United Kingdom'], ['DE', 'Germany'], ['FR', 'France'],
  ['ES', 'Spain'], ['IT', 'Italy'], ['NL', 'Netherlands'], ['PT', 'Portugal'], ['IE', 'Ireland'],
  ['CA', 'Canada'], ['MX', 'Mexico'], ['JP', 'Japan'], ['AU', 'Australia'],
];

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
  const { words } = pageOf(view);
  const totals = totalsFor(view, country);
  const payMinor = payCurrency === currency ? totals.total : convertMinor(totals.total, currency, payCurrency);
  const taxUnknown = totals.tax === null;
  const pay = money(view, payMinor, payCurrency);
  return {
    label: taxUnknown ? words.payPlusTax(pay) : words.pay(pay),
    token: taxUnknown ? 'tax-unknown' : `${payCurrency}:${payMinor}`,
    tax: totals.tax === null ? words.taxUnknown : money(view, totals.tax, currency),
    total: money(view, totals.total, currency),
    presentment: pay,
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
  const { words, locale } = pageOf(view);
  const items = view.record.lineItems.map((item) =>
    html`<li><span>${item.name}${item.quantity > 1 ? ` × ${item.quantity}` : ''}</span><span>${money(view, item.unitAmountMinor * item.quantity, currency)}</span></li>`);
  const taxLabel = totals.country ? words.taxFor(percent(taxRateBasisPoints(totals.country), locale), totals.country) : words.tax;
  const taxLine = view.record.session.automatic_tax.enabled
    ? html`<div><dt>${taxLabel}</dt><dd id="tax-amount">${totals.tax === null ? words.taxUnknown : money(view, totals.tax, currency)}</dd></div>`
    : '';
  const converted = payCurrency !== currency
    ? html`<div><dt>${words.youPayIn(payCurrency.toUpperCase())}</dt><dd id="presentment-total">${money(view, convertMinor(totals.total, currency, payCurrency), payCurrency)}</dd></div>
      <p class="note">${words.merchantCharged(money(view, totals.total, currency))}</p>`
    : '';
  return html`<section aria-labelledby="summary-heading">
  <h2 id="summary-heading">${words.orderSummary}</h2>
  <ul class="items">${items}</ul>
  <dl class="totals">
    <div><dt>${words.subtotal}</dt><dd id="subtotal-amount">${money(view, totals.subtotal, currency)}</dd></div>
    ${taxLine}
    <div class="total"><dt>${words.totalDue}</dt><dd id="total-amount">${money(view, totals.total, currency)}</dd></div>
    ${converted}
  </dl>
</section>`;
}

interface FieldExtra { required?: string; autocomplete?: string; placeholder?: string; inputmode?: string; invalid?: boolean }

/** A labelled text input; `required` is the page's "(required)" suffix when the field is. */
function textField(id: string, label: string, values: FormValues, extra: FieldExtra = {}): Html {
  return html`<label for="${id}">${label}${extra.required ?? ''}</label>
<input type="text" id="${id}" name="${id}" value="${values[id] ?? ''}"${extra.invalid ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}${extra.required ? html` required` : ''}${extra.autocomplete ? html` autocomplete="${extra.autocomplete}"` : ''}${extra.placeholder ? html` placeholder="${extra.placeholder}"` : ''}${extra.inputmode ? html` inputmode="${extra.inputmode}"` : ''}>`;
}

function methodChoice(words: Words, values: FormValues): Html {
  const delayed = values.method === 'delayed';
  return html`<fieldset>
  <legend>${words.paymentMethod}</legend>
  <label class="choice"><input type="radio" name="method" value="card"${delayed ? '' : html` checked`}> ${words.methodCard}</label>
  <label class="choice"><input type="radio" name="method" value="delayed"${delayed ? html` checked` : ''}> ${words.methodDelayed}</label>
</fieldset>`;
}

const CARD_NUMBER_ERROR_CODES = ['incorrect_number', 'incomplete_number', 'invalid_number'];

function cardFields(words: Words, values: FormValues, hasError: boolean, numberError: string | null): Html {
  return html`<fieldset${hasError && !numberError ? html` aria-describedby="payment-error"` : ''}>
  <legend>${words.cardDetails}</legend>
  ${textField('cardNumber', words.cardNumber, values, { autocomplete: 'cc-number', placeholder: '4242 4242 4242 4242', inputmode: 'numeric', invalid: numberError !== null })}
  ${numberError ? html`<p class="field-error" id="cardNumber-error">${words.cardNumber}: ${numberError}</p>` : ''}
  ${textField('cardExpiry', words.cardExpiry, values, { autocomplete: 'cc-exp', placeholder: 'MM / YY' })}
  ${textField('cardCvc', words.cardCvc, values, { autocomplete: 'cc-csc', placeholder: '123', inputmode: 'numeric' })}
  ${textField('cardName', words.cardName, values, { autocomplete: 'cc-name' })}
</fieldset>`;
}

function addressFields(page: PageLocale, values: FormValues): Html {
  const { words, locale } = page;
  const required = words.required;
  const options = countries.map(([code, name]) => html`<option value="${code}"${values.country === code ? html` selected` : ''}>${countryName(code, name, locale)}</option>`);
  return html`<fieldset>
  <legend>${words.billingAddress}</legend>
  ${textField('line1', words.line1, values, { required, autocomplete: 'address-line1' })}
  ${textField('line2', words.line2, values, { autocomplete: 'address-line2' })}
  ${textField('city', words.city, values, { required, autocomplete: 'address-level2' })}
  ${textField('state', words.state, values, { autocomplete: 'address-level1' })}
  ${textField('postalCode', words.postalCode, values, { required, autocomplete: 'postal-code' })}
  <label for="country">${words.country}${required}</label>
  <select id="country" name="country" required autocomplete="country"><option value="">${words.selectCountry}</option>${options}</select>
</fieldset>`;
}

function currencyChoice(words: Words, record: SessionRecord, payCurrency: string): Html {
  const options = offeredCurrencies(record).map((currency) =>
    html`<option value="${currency}"${currency === payCurrency ? html` selected` : ''}>${currency.toUpperCase()}</option>`);
  return html`<label for="presentmentCurrency">${words.payInCurrency}</label>
<select id="presentmentCurrency" name="presentmentCurrency">${options}</select>`;
}

/** The refusal at the top of the form; a declined card also says what to do next: another card, or back without paying. */
function paymentError(view: CheckoutView, words: Words, text: string): Html {
  const declined = view.errorCode === 'card_declined';
  const back = view.record.session.cancel_url;
  return html`<div class="error" role="alert" id="payment-error">${text}${declined ? html` <span id="decline-next">${words.declineNext}</span>` : ''}${declined && back ? html` <a href="${back}" id="decline-back">${words.declineBack}</a>` : ''}</div>`;
}

export function renderCheckoutPage(view: CheckoutView): string {
  const { session } = view.record;
  const page = pageOf(view);
  const { words } = page;
  const currency = session.currency ?? 'usd';
  const payCurrency = offeredCurrencies(view.record).includes(view.values.presentmentCurrency ?? '') ? (view.values.presentmentCurrency as string) : currency;
  const totals = totalsFor(view);
  const isPayment = session.mode === 'payment';
  const needsAddress = session.billing_address_collection === 'required' || session.automatic_tax.enabled;
  const canUpdate = isPayment && (session.automatic_tax.enabled || offeredCurrencies(view.record).length > 1);
  const figures = payFigures(view, view.values.country || view.fallbackCountry, payCurrency);
  const errorText = view.error === null ? null : cardErrorText(words, view.error, view.errorCode ?? null, view.declineCode ?? null);
  const numberError = errorText && CARD_NUMBER_ERROR_CODES.includes(view.errorCode ?? '') ? errorText : null;
  const body = html`<h1>${isPayment ? words.completePayment : words.saveCardHeading}</h1>
${view.customerName ? html`<p class="account">${words.account} <strong id="account-name">${view.customerName}</strong></p>` : ''}
${isPayment ? summary(view, totals, payCurrency) : html`<p>${words.setupIntro}</p>`}
<form method="post" action="/c/pay/${session.id}">
  ${errorText && !numberError ? paymentError(view, words, errorText) : ''}
  ${numberError ? html`<div class="error" role="alert">${words.checkCardNumber} ${numberError}</div>` : ''}
  <label for="email">${words.email}</label>
  <input type="email" id="email" name="email" autocomplete="email" value="${view.values.email ?? session.customer_email ?? ''}">
  ${isPayment ? methodChoice(words, view.values) : ''}
  ${cardFields(words, view.values, view.error !== null, numberError)}
  ${needsAddress ? addressFields(page, view.values) : ''}
  ${isPayment && offeredCurrencies(view.record).length > 1 ? currencyChoice(words, view.record, payCurrency) : ''}
  ${isPayment ? html`<input type="hidden" name="shownTotal" id="shownTotal" value="${figures.token}">` : ''}
  <div class="actions">
    <button type="submit" name="action" value="pay" class="primary" id="submit">${isPayment ? figures.label : words.saveCard}</button>
    ${canUpdate ? html`<button type="submit" name="action" value="update" class="secondary" formnovalidate>${words.updateTotal}</button>` : ''}
  </div>
</form>
${session.cancel_url ? html`<p><a href="${session.cancel_url}" id="cancel-link">${words.cancel}</a></p>` : ''}
<details><summary>${words.testCards}</summary><ul class="note">${words.testCardLines.map((line) => html`<li>${line}</li>`)}</ul></details>
${canUpdate ? liveTotals(view) : ''}`;
  return layout(isPayment ? words.checkoutTitle : words.saveCardTitle, body, page.words);
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
export function renderClosedPage(record: SessionRecord, page: PageLocale = DEFAULT_PAGE_LOCALE): string {
  const { session } = record;
  const { words } = page;
  const complete = session.status === 'complete';
  const heading = complete ? (session.mode === 'setup' ? words.closedCardSaved : session.payment_status === 'paid' ? words.closedPaid : words.closedProcessing) : words.closedExpired;
  const link = complete ? successUrlFor(record) : session.cancel_url;
  const body = html`<h1 id="closed-heading">${heading}</h1>
<p>${complete ? words.closedCompleteText : words.closedExpiredText}</p>
${link ? html`<p><a href="${link}">${words.returnToMerchant}</a></p>` : ''}`;
  return layout(`${heading} · Stripe sandbox`, body, words);
}

export function renderNotFoundPage(page: PageLocale = DEFAULT_PAGE_LOCALE): string {
  const { words } = page;
  return layout(words.notFoundTitle, html`<h1>${words.notFoundHeading}</h1><p>${words.notFoundText}</p>`, words);
}
