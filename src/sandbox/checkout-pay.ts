import { declineMessage, needsAuthentication, refusedInSetup, resolveCardNumber } from './cards.ts';
import type { SessionRecord } from './checkout-types.ts';
import { applyTotals } from './checkout-create.ts';
import { unixSeconds } from './clock.ts';
import type { SandboxCore } from './core.ts';
import { cardError, invalidRequest } from './errors.ts';
import { noRequest } from './events.ts';
import type { RequestRef } from './events.ts';
import { newId, newSecret } from './ids.ts';
import { canConvert, convertMinor } from './money.ts';
import { delayedMethodTypeFor, emptyAddress, newCardPaymentMethod, newDelayedPaymentMethod, newPaymentIntent } from './objects.ts';
import type { CardExpiry } from './objects.ts';
import { confirmCardPayment, settleDelayedPayment, startDelayedPayment } from './payments.ts';
import type { AuthenticationOutcome, SettleOutcome } from './payments.ts';
import type { Address, BillingDetails, PaymentIntent, PaymentMethod, PresentmentDetails, SetupIntent } from './types.ts';

/** What a shopper submits on the hosted page (or a test through the control API). */
export interface PayInput {
  method: 'card' | 'delayed';
  cardNumber?: string;
  expiry?: CardExpiry;
  billingAddress?: Partial<Address> | null;
  email?: string | null;
  name?: string | null;
  presentmentCurrency?: string | null;
  /** What the shopper did on the 3D Secure challenge, for cards that need one (default: completed it). */
  authentication?: AuthenticationOutcome;
}

/** Whether paying with this card number on the hosted page goes through a 3D Secure challenge step first. */
export function challengeNeeded(cardNumber: string): boolean {
  return needsAuthentication(resolveCardNumber(cardNumber), false, false);
}

const defaultExpiryYearsAhead = 5;
const decemberMonth = 12;

export function assertOpen(record: SessionRecord): void {
  if (record.session.status !== 'open') {
    throw invalidRequest(`This Checkout Session is ${record.session.status} and can no longer be paid.`, undefined, 'checkout_session_not_open');
  }
}

function billingAddressFrom(record: SessionRecord, input: PayInput): Address | null {
  const address = input.billingAddress ? { ...emptyAddress(), ...input.billingAddress } : null;
  const session = record.session;
  const needsAddress = session.billing_address_collection === 'required' || session.automatic_tax.enabled;
  if (needsAddress && !address?.country) throw invalidRequest('A billing address with a country is required.', 'billing_address');
  if (address?.country) address.country = address.country.toUpperCase();
  return address;
}

/** Pays (or, in setup mode, saves a card for) an open session. Card failures throw and leave it open. */
export function paySession(core: SandboxCore, record: SessionRecord, input: PayInput, request: RequestRef = noRequest): SessionRecord {
  assertOpen(record);
  const address = billingAddressFrom(record, input);
  const customer = record.session.customer ? core.state.customer(record.session.customer) : null;
  const billing: BillingDetails = {
    address,
    email: input.email ?? customer?.email ?? record.session.customer_email ?? null,
    name: input.name ?? customer?.name ?? null,
    phone: null,
  };
  if (record.session.mode === 'setup') {
    if (input.method !== 'card') throw invalidRequest('Setup mode saves a card; delayed methods are not available.', 'method');
    saveCard(core, record, input, billing);
  } else {
    applyTotals(record, address?.country ?? customer?.address?.country ?? null);
    payPaymentMode(core, record, input, billing, request);
  }
  complete(core, record, billing, request);
  return record;
}

function payPaymentMode(core: SandboxCore, record: SessionRecord, input: PayInput, billing: BillingDetails, request: RequestRef): void {
  const presentment = presentmentFor(record, input.presentmentCurrency ?? null);
  if (input.method === 'card') {
    const method = cardMethod(core, input, billing);
    const intent = intentFor(core, record, presentment);
    confirmCardPayment(core, intent, method, { offSession: false, onPage: true, request, authentication: input.authentication ?? 'complete' });
    attachForReuse(core, record, method);
    return;
  }
  const intent = intentFor(core, record, presentment);
  const method = newDelayedPaymentMethod(unixSeconds(core.clock), delayedMethodTypeFor(intent.currency), billing);
  core.state.paymentMethods.set(method.id, method);
  startDelayedPayment(core, intent, method);
}

function defaultExpiry(core: SandboxCore): CardExpiry {
  return { month: decemberMonth, year: new Date(core.clock.nowMs()).getUTCFullYear() + defaultExpiryYearsAhead };
}

function cardMethod(core: SandboxCore, input: PayInput, billing: BillingDetails): PaymentMethod {
  if (!input.cardNumber) throw invalidRequest('A card number is required.', 'card');
  const card = resolveCardNumber(input.cardNumber);
  const method = newCardPaymentMethod(unixSeconds(core.clock), card, input.expiry ?? defaultExpiry(core), billing);
  core.state.paymentMethods.set(method.id, method);
  core.state.cardByPaymentMethod.set(method.id, card);
  return method;
}

/** Stripe attaches the card to the customer when the payment was set up for future use. */
function attachForReuse(core: SandboxCore, record: SessionRecord, method: PaymentMethod): void {
  if (record.paymentIntentData.setupFutureUsage && record.session.customer) method.customer = record.session.customer;
}

/** One PaymentIntent per session, created at the first attempt and reused after a decline. */
function intentFor(core: SandboxCore, record: SessionRecord, presentment: PresentmentDetails | null): PaymentIntent {
  const session = record.session;
  const amount = session.amount_total ?? 0;
  const currency = session.currency ?? 'usd';
  const existing = session.payment_intent ? core.state.paymentIntent(session.payment_intent) : null;
  const intent = existing ?? newPaymentIntent(unixSeconds(core.clock), {
    amount,
    currency,
    customer: session.customer,
    description: record.paymentIntentData.description,
    metadata: { ...record.paymentIntentData.metadata },
    paymentMethod: null,
    setupFutureUsage: record.paymentIntentData.setupFutureUsage,
    paymentMethodTypes: session.payment_method_types,
  });
  intent.amount = amount;
  delete intent.presentment_details;
  delete session.presentment_details;
  if (presentment) {
    intent.presentment_details = { ...presentment };
    session.presentment_details = { ...presentment };
  }
  core.state.paymentIntents.set(intent.id, intent);
  session.payment_intent = intent.id;
  return intent;
}

/** Adaptive pricing changes only what the shopper sees and pays in; the session's own amounts stay put. */
function presentmentFor(record: SessionRecord, requested: string | null): PresentmentDetails | null {
  const session = record.session;
  const currency = session.currency ?? 'usd';
  const presentmentCurrency = requested?.toLowerCase() ?? currency;
  if (presentmentCurrency === currency) return null;
  if (!session.adaptive_pricing?.enabled) {
    throw invalidRequest('Paying in another currency needs adaptive_pricing[enabled]=true on the session.', 'presentment_currency');
  }
  if (!canConvert(currency, presentmentCurrency)) {
    throw invalidRequest(`The sandbox cannot present ${currency} in ${presentmentCurrency}.`, 'presentment_currency');
  }
  return { presentment_amount: convertMinor(session.amount_total ?? 0, currency, presentmentCurrency), presentment_currency: presentmentCurrency };
}

function saveCard(core: SandboxCore, record: SessionRecord, input: PayInput, billing: BillingDetails): void {
  const method = cardMethod(core, input, billing);
  const card = core.state.cardByPaymentMethod.get(method.id);
  if (card && refusedInSetup(card)) {
    const declineCode = card.declineCode ?? 'generic_decline';
    throw cardError({ code: 'card_declined', decline_code: declineCode, message: declineMessage(declineCode) });
  }
  if (card && needsAuthentication(card, false, false) && input.authentication === 'fail') {
    throw cardError({ code: 'setup_intent_authentication_failure', message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.' });
  }
  method.customer = record.session.customer;
  core.state.setUpForOffSession.add(method.id);
  const intent: SetupIntent = {
    id: newId('seti'), object: 'setup_intent', cancellation_reason: null, client_secret: '', created: unixSeconds(core.clock),
    customer: record.session.customer, description: record.setupIntentData.description, last_setup_error: null,
    latest_attempt: null, livemode: false, mandate: null, metadata: { ...record.setupIntentData.metadata }, next_action: null,
    payment_method: method.id, payment_method_types: ['card'], status: 'succeeded', usage: 'off_session',
  };
  intent.client_secret = `${intent.id}_secret_${newSecret('x').slice(2, 26)}`;
  core.state.setupIntents.set(intent.id, intent);
  record.session.setup_intent = intent.id;
}

function complete(core: SandboxCore, record: SessionRecord, billing: BillingDetails, request: RequestRef): void {
  const session = record.session;
  session.status = 'complete';
  session.url = null;
  if (session.mode === 'payment') {
    const intent = core.state.paymentIntent(session.payment_intent as string);
    session.payment_status = intent.status === 'succeeded' ? 'paid' : 'unpaid';
  }
  session.customer_details = { address: billing.address, email: billing.email, name: billing.name, phone: null, tax_exempt: 'none', tax_ids: [] };
  if (record.saveAddressToCustomer && session.customer && billing.address) {
    core.state.customer(session.customer).address = { ...billing.address };
  }
  core.events.emit('checkout.session.completed', session, request);
}

/** Settles a delayed payment and tells the session's listeners, as Stripe's async events do. */
export function settlePayment(core: SandboxCore, intent: PaymentIntent, outcome: SettleOutcome, request: RequestRef = noRequest): void {
  settleDelayedPayment(core, intent, outcome, request);
  const record = [...core.state.sessions.values()].find((candidate) => candidate.session.payment_intent === intent.id);
  if (!record) return;
  if (outcome === 'succeeded') {
    record.session.payment_status = 'paid';
    core.events.emit('checkout.session.async_payment_succeeded', record.session, request);
  } else {
    core.events.emit('checkout.session.async_payment_failed', record.session, request);
  }
}

export function expireSession(core: SandboxCore, record: SessionRecord, request: RequestRef = noRequest): SessionRecord {
  const session = record.session;
  if (session.status !== 'open') {
    throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This session is ${session.status}.`, undefined, 'checkout_session_not_open');
  }
  session.status = 'expired';
  session.url = null;
  const intent = session.payment_intent ? core.state.paymentIntents.get(session.payment_intent) : undefined;
  if (intent && intent.status === 'requires_payment_method') {
    intent.status = 'canceled';
    intent.canceled_at = unixSeconds(core.clock);
    intent.cancellation_reason = 'abandoned';
  }
  core.events.emit('checkout.session.expired', session, request);
  return record;
}

/** Expires every open session whose `expires_at` has passed on the sandbox clock. */
export function sweepExpiredSessions(core: SandboxCore): void {
  const now = unixSeconds(core.clock);
  for (const record of core.state.sessions.values()) {
    if (record.session.status === 'open' && record.session.expires_at <= now) expireSession(core, record);
  }
}
