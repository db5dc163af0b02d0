import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PayInput } from '../checkout-pay.ts';
import { challengeNeeded, paySession } from '../checkout-pay.ts';
import type { SessionRecord } from '../checkout-types.ts';
import type { SandboxCore } from '../core.ts';
import { cardError, SandboxStripeError } from '../errors.ts';
import { BodyTooLargeError, readBody, redirect, sendHtml } from '../http.ts';
import type { CardExpiry } from '../objects.ts';
import { challengeChoiceOf, renderChallengePage } from './challenge.ts';
import { offeredCurrencies, payToken, renderCheckoutPage, renderClosedPage, renderNotFoundPage, successUrlFor } from './render.ts';
import type { FormValues } from './render.ts';
import { type PageLocale, pageLocaleOf } from './words.ts';

const pageBodyLimitBytes = 16 * 1024;
const pagePathPattern = /^\/c\/pay\/([A-Za-z0-9_]+)$/;
const expiryPattern = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/;
const cvcPattern = /^\d{3,4}$/;
const twoDigitYearBase = 2000;
const monthsPerYear = 12;

function parseExpiry(text: string, nowMs: number): CardExpiry {
  const match = expiryPattern.exec(text);
  const month = Number(match?.[1]);
  if (!match || month < 1 || month > monthsPerYear) {
    throw cardError({ code: 'incomplete_expiry', message: "Your card's expiration date is incomplete." });
  }
  const rawYear = Number(match[2]);
  const year = rawYear < 100 ? twoDigitYearBase + rawYear : rawYear;
  const now = new Date(nowMs);
  if (year * monthsPerYear + month < now.getUTCFullYear() * monthsPerYear + now.getUTCMonth() + 1) {
    throw cardError({ code: 'invalid_expiry_year', message: "Your card's expiration date is in the past." });
  }
  return { month, year };
}

/** Turns the submitted form into a payment attempt, checking what Stripe.js would check in the browser. */
function payInputFromForm(values: FormValues, nowMs: number): PayInput {
  const input: PayInput = {
    method: values.method === 'delayed' ? 'delayed' : 'card',
    email: values.email || null,
    name: values.cardName || null,
    presentmentCurrency: values.presentmentCurrency || null,
    billingAddress: values.country
      ? { line1: values.line1 || null, line2: values.line2 || null, city: values.city || null, state: values.state || null, postal_code: values.postalCode || null, country: values.country }
      : null,
  };
  if (input.method === 'delayed') return input;
  if (!values.cardNumber?.trim()) throw cardError({ code: 'incomplete_number', message: 'Your card number is incomplete.' });
  input.cardNumber = values.cardNumber;
  input.expiry = parseExpiry(values.cardExpiry ?? '', nowMs);
  if (!cvcPattern.test((values.cardCvc ?? '').trim())) {
    throw cardError({ code: 'incomplete_cvc', message: "Your card's security code is incomplete." });
  }
  return input;
}

interface PageError {
  text: string;
  code?: string | null;
  declineCode?: string | null;
}

function checkoutView(core: SandboxCore, page: PageLocale, record: SessionRecord, values: FormValues, error: PageError | null): string {
  const customer = record.session.customer ? core.state.customers.get(record.session.customer) : undefined;
  return renderCheckoutPage({
    record, values, error: error?.text ?? null, errorCode: error?.code ?? null, declineCode: error?.declineCode ?? null, page,
    fallbackCountry: customer?.address?.country ?? null, customerName: customer?.name ?? null,
  });
}

/**
 * The page posts back the total its Pay button showed. If the form now adds up to something else (the
 * country or currency changed without the total being refreshed), nothing is charged: the page shows
 * the new total and asks again. A post without it (scripts, tests) is charged as computed.
 */
function totalChanged(core: SandboxCore, record: SessionRecord, values: FormValues): boolean {
  if (record.session.mode !== 'payment' || values.shownTotal === undefined) return false;
  const customer = record.session.customer ? core.state.customers.get(record.session.customer) : undefined;
  const view = { record, values, error: null, fallbackCountry: customer?.address?.country ?? null };
  const payCurrency = offeredCurrencies(record).includes(values.presentmentCurrency ?? '') ? values.presentmentCurrency! : record.session.currency ?? 'usd';
  return payToken(view, payCurrency) !== values.shownTotal;
}

async function handlePost(core: SandboxCore, req: IncomingMessage, res: ServerResponse, record: SessionRecord, page: PageLocale): Promise<void> {
  const values: FormValues = Object.fromEntries(new URLSearchParams(await readBody(req, pageBodyLimitBytes)));
  if (record.session.status !== 'open') {
    sendHtml(res, 409, renderClosedPage(record, page));
    return;
  }
  if (values.action === 'update') {
    sendHtml(res, 200, checkoutView(core, page, record, values, null));
    return;
  }
  if (totalChanged(core, record, values)) {
    const { cardNumber: _n, cardCvc: _c, ...kept } = values;
    sendHtml(res, 409, checkoutView(core, page, record, kept, { text: page.words.totalChanged }));
    return;
  }
  try {
    const input = payInputFromForm(values, core.clock.nowMs());
    const choice = challengeChoiceOf(values);
    if (input.cardNumber && choice === null && challengeNeeded(input.cardNumber)) {
      sendHtml(res, 200, renderChallengePage(record, values, page));
      return;
    }
    if (choice !== null) input.authentication = choice;
    paySession(core, record, input);
  } catch (error) {
    if (!(error instanceof SandboxStripeError)) throw error;
    const { cardNumber: _cardNumber, cardCvc: _cardCvc, ...kept } = values;
    sendHtml(res, error.status, checkoutView(core, page, record, kept, { text: error.body.message, code: error.body.code ?? null, declineCode: error.body.decline_code ?? null }));
    return;
  }
  redirect(res, successUrlFor(record) ?? record.pageUrl);
}

/** The hosted checkout page at `/c/pay/{session id}`: plain HTML forms, no JavaScript needed. */
export async function handlePageRequest(core: SandboxCore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const id = pagePathPattern.exec(url.pathname)?.[1];
  const record = id ? core.state.sessions.get(id) : undefined;
  // The browser's language, as Stripe's Checkout follows it (words.ts): en or pt-BR text, any locale's numbers.
  // A session created with a fixed `locale` (not 'auto') speaks that one, as on Stripe.
  const fixed = record?.session.locale && record.session.locale !== 'auto' ? record.session.locale : undefined;
  const page = pageLocaleOf(fixed ?? req.headers['accept-language']);
  if (!record) {
    sendHtml(res, 404, renderNotFoundPage(page));
    return;
  }
  try {
    if (req.method === 'POST') await handlePost(core, req, res, record, page);
    else if (record.session.status !== 'open') sendHtml(res, 200, renderClosedPage(record, page));
    else sendHtml(res, 200, checkoutView(core, page, record, Object.fromEntries(url.searchParams), null));
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendHtml(res, 413, renderNotFoundPage(page));
  }
}
