import { cardFingerprint } from './cards.ts';
import type { TestCard } from './cards.ts';
import { newId, newSecret } from './ids.ts';
import type {
  Address, BillingDetails, CardDetails, Charge, Customer, DelayedMethodType, Metadata, PaymentIntent, PaymentMethod,
} from './types.ts';

/** Factories for fresh Stripe objects with every field Stripe would send, defaulted as Stripe does. */

const cardCountry = 'US';
const invoicePrefixLength = 8;

export function emptyAddress(): Address {
  return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
}

export function newCustomer(created: number): Customer {
  const id = newId('cus');
  return {
    id,
    object: 'customer',
    address: null,
    balance: 0,
    created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    email: null,
    invoice_prefix: id.slice(4, 4 + invoicePrefixLength).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export interface CardExpiry {
  month: number;
  year: number;
}

export function cardDetails(card: TestCard, expiry: CardExpiry): CardDetails {
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: cardCountry,
    display_brand: card.brand,
    exp_month: expiry.month,
    exp_year: expiry.year,
    fingerprint: cardFingerprint(card.number),
    funding: card.funding,
    last4: card.number.slice(-4),
    networks: { available: [card.brand], preferred: null },
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

export function newCardPaymentMethod(created: number, card: TestCard, expiry: CardExpiry, billing: BillingDetails): PaymentMethod {
  return {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billing,
    card: cardDetails(card, expiry),
    created,
    customer: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

/** Delayed (asynchronous) methods are picked by currency, the way Stripe offers local methods. */
export function delayedMethodTypeFor(currency: string): DelayedMethodType {
  if (currency === 'brl') return 'boleto';
  if (currency === 'usd') return 'us_bank_account';
  return 'sepa_debit';
}

export function newDelayedPaymentMethod(created: number, type: DelayedMethodType, billing: BillingDetails): PaymentMethod {
  const method: PaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billing,
    created,
    customer: null,
    livemode: false,
    metadata: {},
    type,
  };
  if (type === 'boleto') method.boleto = { tax_id: '00000000000' };
  if (type === 'us_bank_account') method.us_bank_account = { bank_name: 'STRIPE TEST BANK', last4: '6789' };
  if (type === 'sepa_debit') method.sepa_debit = { country: 'DE', last4: '3000' };
  return method;
}

export interface PaymentIntentFields {
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Metadata;
  paymentMethod: string | null;
  setupFutureUsage: 'on_session' | 'off_session' | null;
  paymentMethodTypes: string[];
}

export function newPaymentIntent(created: number, fields: PaymentIntentFields): PaymentIntent {
  const id = newId('pi');
  return {
    id,
    object: 'payment_intent',
    amount: fields.amount,
    amount_capturable: 0,
    amount_received: 0,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${newSecret('x').slice(2, 26)}`,
    confirmation_method: 'automatic',
    created,
    currency: fields.currency,
    customer: fields.customer,
    description: fields.description,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: fields.metadata,
    next_action: null,
    payment_method: fields.paymentMethod,
    payment_method_types: fields.paymentMethodTypes,
    receipt_email: null,
    setup_future_usage: fields.setupFutureUsage,
    status: fields.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
  };
}

function paymentMethodDetails(method: PaymentMethod): Charge['payment_method_details'] {
  if (method.card) {
    const { display_brand: _displayBrand, wallet: _wallet, ...card } = method.card;
    return { type: 'card', card: { ...card, network: method.card.brand } };
  }
  return { type: method.type, [method.type]: {} };
}

export function newCharge(created: number, intent: PaymentIntent, method: PaymentMethod, status: Charge['status']): Charge {
  const succeeded = status === 'succeeded';
  const charge: Charge = {
    id: newId('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: succeeded ? intent.amount : 0,
    amount_refunded: 0,
    balance_transaction: null,
    billing_details: method.billing_details,
    captured: succeeded,
    created,
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: { ...intent.metadata },
    outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
    paid: succeeded,
    payment_intent: intent.id,
    payment_method: method.id,
    payment_method_details: paymentMethodDetails(method),
    receipt_url: null,
    refunded: false,
    status,
  };
  if (intent.presentment_details) charge.presentment_details = { ...intent.presentment_details };
  return charge;
}
