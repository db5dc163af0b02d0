import type { CheckoutSession, LineItemInput, SessionRecord } from './checkout-types.ts';
import { unixSeconds } from './clock.ts';
import type { SandboxCore } from './core.ts';
import { invalidRequest, missingParam, resourceMissing } from './errors.ts';
import { newId } from './ids.ts';
import { amountMaxMinor, computeTaxMinor, formatMinor, isSupportedCurrency, minimumChargeFor, stepProblem } from './money.ts';
import { arr, bool, int, metadata, obj, oneOf, optional, str, url } from './schema.ts';
import type { ObjectOf } from './schema.ts';

const lineItemsMax = 100;
const quantityMax = 999_999;
const productNameLengthMax = 250;
const clientReferenceIdLengthMax = 200;
const expiresInMinSeconds = 30 * 60;
const expiresInMaxSeconds = 24 * 60 * 60;
export const paymentMethodTypesSupported = ['card', 'boleto', 'us_bank_account', 'sepa_debit'] as const;

const lineItemSchema = obj({
  price_data: optional(obj({
    currency: str(),
    unit_amount: int({ min: 0, max: amountMaxMinor }),
    product_data: obj({ name: str({ maxLength: productNameLengthMax }), description: optional(str()), metadata: optional(metadata()) }),
    tax_behavior: optional(oneOf(['exclusive', 'inclusive', 'unspecified'])),
  })),
  price: optional(str()),
  quantity: optional(int({ min: 1, max: quantityMax })),
});
const autoOrNever = optional(oneOf(['auto', 'never']));

export const sessionCreateShape = {
  mode: optional(oneOf(['payment', 'setup', 'subscription'])),
  line_items: optional(arr(lineItemSchema)),
  customer: optional(str()),
  customer_email: optional(str()),
  client_reference_id: optional(str({ maxLength: clientReferenceIdLengthMax })),
  metadata: optional(metadata()),
  payment_intent_data: optional(obj({
    metadata: optional(metadata()),
    description: optional(str()),
    setup_future_usage: optional(oneOf(['on_session', 'off_session'])),
  })),
  setup_intent_data: optional(obj({ metadata: optional(metadata()), description: optional(str()) })),
  currency: optional(str()),
  billing_address_collection: optional(oneOf(['auto', 'required'])),
  automatic_tax: optional(obj({ enabled: bool() })),
  customer_update: optional(obj({ address: autoOrNever, name: autoOrNever, shipping: autoOrNever })),
  adaptive_pricing: optional(obj({ enabled: optional(bool()) })),
  expires_at: optional(int()),
  success_url: optional(url()),
  cancel_url: optional(url()),
  /** Renamed to allowed_payment_method_types in API 2026-10-28; both spellings are accepted. */
  payment_method_types: optional(arr(oneOf(paymentMethodTypesSupported))),
  allowed_payment_method_types: optional(arr(oneOf(paymentMethodTypesSupported))),
  locale: optional(str()),
};
export type SessionCreateParams = ObjectOf<typeof sessionCreateShape>;

function normalizeCurrency(raw: string, param: string): string {
  const currency = raw.toLowerCase();
  if (!isSupportedCurrency(currency)) throw invalidRequest(`Invalid currency: ${raw}`, param, 'parameter_invalid_string');
  return currency;
}

function lineItemsFrom(params: SessionCreateParams): LineItemInput[] {
  const items = params.line_items ?? [];
  if (items.length === 0) throw missingParam('line_items');
  if (items.length > lineItemsMax) throw invalidRequest(`You may only specify up to ${lineItemsMax} line items.`, 'line_items');
  return items.map((item, index) => {
    const param = `line_items[${index}]`;
    if (item.price !== undefined) throw resourceMissing('price', item.price, `${param}[price]`);
    if (!item.price_data) throw missingParam(`${param}[price_data]`);
    if (item.quantity === undefined) throw missingParam(`${param}[quantity]`);
    const data = item.price_data;
    return {
      id: newId('li'),
      priceId: newId('price'),
      productId: newId('prod'),
      name: data.product_data.name,
      description: data.product_data.description ?? null,
      currency: normalizeCurrency(data.currency, `${param}[price_data][currency]`),
      unitAmountMinor: data.unit_amount,
      quantity: item.quantity,
    };
  });
}

/** Settlement currency and subtotal of a payment-mode session, with Stripe's bounds. */
function paymentAmounts(params: SessionCreateParams, items: LineItemInput[]): { currency: string; subtotalMinor: number } {
  const currency = params.currency ? normalizeCurrency(params.currency, 'currency') : (items[0] as LineItemInput).currency;
  items.forEach((item, index) => {
    if (item.currency !== currency) {
      throw invalidRequest(`line_items[${index}][price_data][currency] must be ${currency}, the currency of the session.`, `line_items[${index}][price_data][currency]`);
    }
  });
  const subtotalMinor = items.reduce((sum, item) => sum + item.unitAmountMinor * item.quantity, 0);
  if (subtotalMinor > amountMaxMinor) {
    throw invalidRequest(`The total amount must be no more than ${formatMinor(amountMaxMinor, currency)}.`, 'line_items', 'amount_too_large');
  }
  const minimum = minimumChargeFor(currency);
  if (subtotalMinor < minimum) {
    throw invalidRequest(`The Checkout Session's total amount due must add up to at least ${formatMinor(minimum, currency)}.`, 'line_items', 'amount_too_small');
  }
  const offStep = stepProblem(currency, subtotalMinor);
  if (offStep) throw invalidRequest(offStep, 'line_items', 'amount_invalid');
  return { currency, subtotalMinor };
}

function validateModeParams(mode: 'payment' | 'setup', params: SessionCreateParams): void {
  if (mode === 'setup' && params.line_items) throw invalidRequest('line_items cannot be used in setup mode.', 'line_items');
  if (mode === 'setup' && params.payment_intent_data) throw invalidRequest('payment_intent_data can only be used in payment mode.', 'payment_intent_data');
  if (mode === 'payment' && params.setup_intent_data) throw invalidRequest('setup_intent_data can only be used in setup mode.', 'setup_intent_data');
  if (params.customer_update && !params.customer) throw invalidRequest('customer_update can only be used with customer.', 'customer_update');
}

function expiresAtFrom(params: SessionCreateParams, now: number): number {
  if (params.expires_at === undefined) return now + expiresInMaxSeconds;
  const inSeconds = params.expires_at - now;
  if (inSeconds < expiresInMinSeconds) {
    throw invalidRequest('The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
  }
  if (inSeconds > expiresInMaxSeconds) {
    throw invalidRequest('The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
  }
  return params.expires_at;
}

export function createSession(core: SandboxCore, params: SessionCreateParams): SessionRecord {
  if (!params.mode) throw missingParam('mode');
  if (params.mode === 'subscription') throw invalidRequest('The sandbox supports mode=payment and mode=setup only.', 'mode');
  const mode = params.mode;
  validateModeParams(mode, params);
  const customer = params.customer ? core.state.customer(params.customer, 'customer') : null;
  const now = unixSeconds(core.clock);
  const items = mode === 'payment' ? lineItemsFrom(params) : [];
  const amounts = mode === 'payment' ? paymentAmounts(params, items) : null;
  const id = newId('cs_test', 58);
  const pageUrl = `${core.publicUrl()}/c/pay/${id}`;
  const session = baseSession(id, now, mode, params);
  session.expires_at = expiresAtFrom(params, now);
  session.customer = customer?.id ?? null;
  session.currency = amounts?.currency ?? (params.currency ? normalizeCurrency(params.currency, 'currency') : null);
  session.url = pageUrl;
  const record: SessionRecord = {
    session,
    lineItems: items,
    pageUrl,
    paymentIntentData: {
      metadata: params.payment_intent_data?.metadata ?? {},
      description: params.payment_intent_data?.description ?? null,
      setupFutureUsage: params.payment_intent_data?.setup_future_usage ?? null,
    },
    setupIntentData: { metadata: params.setup_intent_data?.metadata ?? {}, description: params.setup_intent_data?.description ?? null },
    saveAddressToCustomer: params.customer_update?.address === 'auto',
  };
  applyTotals(record, customer?.address?.country ?? null);
  core.state.sessions.set(id, record);
  return record;
}

function baseSession(id: string, now: number, mode: 'payment' | 'setup', params: SessionCreateParams): CheckoutSession {
  const taxEnabled = params.automatic_tax?.enabled ?? false;
  return {
    id, object: 'checkout.session',
    adaptive_pricing: { enabled: params.adaptive_pricing?.enabled ?? false },
    after_expiration: null, allow_promotion_codes: null, amount_subtotal: null, amount_total: null,
    allowed_payment_method_types: params.allowed_payment_method_types ?? params.payment_method_types ?? null,
    automatic_tax: { enabled: taxEnabled, liability: null, provider: taxEnabled ? 'stripe' : null, status: null },
    billing_address_collection: params.billing_address_collection ?? null,
    cancel_url: params.cancel_url ?? null, client_reference_id: params.client_reference_id ?? null, client_secret: null,
    consent: null, consent_collection: null, created: now, currency: null, currency_conversion: null, custom_fields: [],
    customer: null, customer_creation: params.customer ? null : 'if_required', customer_details: null,
    customer_email: params.customer_email ?? null, discounts: [], expires_at: now, invoice: null, invoice_creation: null,
    livemode: false, locale: params.locale ?? null, metadata: params.metadata ?? {}, mode,
    payment_intent: null, payment_link: null, payment_method_collection: mode === 'payment' ? 'if_required' : 'always',
    payment_method_types: params.allowed_payment_method_types ?? params.payment_method_types ?? ['card'],
    payment_status: mode === 'payment' ? 'unpaid' : 'no_payment_required',
    recovered_from: null, setup_intent: null, shipping_address_collection: null, shipping_cost: null, shipping_options: [],
    status: 'open', submit_type: null, subscription: null, success_url: params.success_url ?? null,
    total_details: null, ui_mode: 'hosted', url: null, wallet_options: null,
  };
}

/** Recomputes subtotal, tax and total; tax needs a billing country, as Stripe Tax does. */
export function applyTotals(record: SessionRecord, country: string | null): void {
  const session = record.session;
  if (session.mode !== 'payment') return;
  const subtotal = record.lineItems.reduce((sum, item) => sum + item.unitAmountMinor * item.quantity, 0);
  const taxEnabled = session.automatic_tax.enabled;
  const tax = taxEnabled && country ? computeTaxMinor(subtotal, country) : 0;
  session.amount_subtotal = subtotal;
  session.amount_total = subtotal + tax;
  session.total_details = { amount_discount: 0, amount_shipping: 0, amount_tax: tax };
  if (taxEnabled) session.automatic_tax.status = country ? 'complete' : 'requires_location_inputs';
}
