import { declineMessage, needsAuthentication } from './cards.ts';
import { receiptUrlOf } from './page/receipt.ts';
import { unixSeconds } from './clock.ts';
import type { SandboxCore } from './core.ts';
import { cardError, invalidRequest } from './errors.ts';
import type { RequestRef } from './events.ts';
import { newCharge } from './objects.ts';
import type { Charge, LastPaymentError, PaymentIntent, PaymentMethod } from './types.ts';

/** The outcome of a 3D Secure challenge the shopper was shown (hosted page or control API). */
export type AuthenticationOutcome = 'complete' | 'fail';

/** How a confirmation happens: on the hosted page the shopper is present and can authenticate. */
export interface ConfirmOptions {
  offSession: boolean;
  onPage: boolean;
  request: RequestRef;
  /** On the page: what the shopper did on the challenge step (absent: no challenge was needed or shown). */
  authentication?: AuthenticationOutcome;
}

interface Failure {
  code: string;
  declineCode: string;
  message: string;
}

const authenticationRequiredMessage =
  'Your card was declined. This transaction requires authentication.';
const authenticationFailedMessage =
  'We are unable to authenticate your payment method. Please choose a different payment method and try again.';

/** Confirms a card PaymentIntent; throws Stripe's 402 card error when the card fails. */
export function confirmCardPayment(core: SandboxCore, intent: PaymentIntent, method: PaymentMethod, opts: ConfirmOptions): void {
  const card = core.state.cardByPaymentMethod.get(method.id);
  if (!card) throw invalidRequest('The sandbox can only confirm card PaymentMethods this way.', 'payment_method');
  intent.payment_method = method.id;
  const authenticate = needsAuthentication(card, opts.offSession, core.state.setUpForOffSession.has(method.id));
  if (authenticate && opts.offSession) {
    const failure = { code: 'authentication_required', declineCode: 'authentication_required', message: authenticationRequiredMessage };
    failPayment(core, intent, method, null, failure, opts.request);
  }
  if (authenticate && !opts.onPage) {
    intent.status = 'requires_action';
    intent.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: {} };
    return;
  }
  if (authenticate && opts.authentication === 'fail') {
    const failure = { code: 'payment_intent_authentication_failure', declineCode: 'authentication_failed', message: authenticationFailedMessage };
    failPayment(core, intent, method, null, failure, opts.request);
  }
  const now = unixSeconds(core.clock);
  if (card.outcome === 'decline') {
    const declineCode = card.declineCode ?? 'generic_decline';
    const charge = recordCharge(core, newCharge(now, intent, method, 'failed'));
    charge.failure_code = 'card_declined';
    charge.failure_message = declineMessage(declineCode);
    charge.outcome = { network_status: 'declined_by_network', reason: declineCode, risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' };
    failPayment(core, intent, method, charge, { code: 'card_declined', declineCode, message: declineMessage(declineCode) }, opts.request);
  }
  // A payment that saves the card for later (setup_future_usage=off_session) sets it up for off-session use.
  if (intent.setup_future_usage === 'off_session') core.state.setUpForOffSession.add(method.id);
  if (core.state.cardPaymentsLeftProcessing > 0) {
    core.state.cardPaymentsLeftProcessing -= 1;
    startDelayedPayment(core, intent, method);
    return;
  }
  succeedPayment(core, intent, recordCharge(core, newCharge(now, intent, method, 'succeeded')), opts.request);
}

function recordCharge(core: SandboxCore, charge: Charge): Charge {
  charge.receipt_url = receiptUrlOf(core, charge.id);
  core.state.charges.set(charge.id, charge);
  return charge;
}

function succeedPayment(core: SandboxCore, intent: PaymentIntent, charge: Charge, request: RequestRef): void {
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  intent.latest_charge = charge.id;
  intent.last_payment_error = null;
  intent.next_action = null;
  core.events.emit('payment_intent.succeeded', intent, request);
}

function failPayment(
  core: SandboxCore, intent: PaymentIntent, method: PaymentMethod, charge: Charge | null, failure: Failure, request: RequestRef,
): never {
  const lastError: LastPaymentError = {
    type: 'card_error',
    code: failure.code,
    decline_code: failure.declineCode,
    message: failure.message,
    payment_method: structuredClone(method),
  };
  if (charge) lastError.charge = charge.id;
  intent.status = 'requires_payment_method';
  intent.last_payment_error = lastError;
  intent.next_action = null;
  if (charge) intent.latest_charge = charge.id;
  core.events.emit('payment_intent.payment_failed', intent, request);
  const errorFields = {
    code: failure.code,
    decline_code: failure.declineCode,
    message: failure.message,
    payment_intent: structuredClone(intent),
    payment_method: structuredClone(method),
  };
  throw cardError(charge ? { ...errorFields, charge: charge.id } : errorFields);
}

/** A delayed method (boleto, bank debit…): the charge stays pending until settled. */
export function startDelayedPayment(core: SandboxCore, intent: PaymentIntent, method: PaymentMethod): Charge {
  const charge = recordCharge(core, newCharge(unixSeconds(core.clock), intent, method, 'pending'));
  charge.outcome = { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment pending.', type: 'authorized' };
  intent.payment_method = method.id;
  intent.status = 'processing';
  intent.latest_charge = charge.id;
  return charge;
}

export type SettleOutcome = 'succeeded' | 'failed';

export function settleDelayedPayment(core: SandboxCore, intent: PaymentIntent, outcome: SettleOutcome, request: RequestRef): void {
  if (intent.status !== 'processing' || !intent.latest_charge) {
    throw invalidRequest(`PaymentIntent ${intent.id} is ${intent.status}; only processing payments can be settled.`, 'payment_intent', 'payment_intent_unexpected_state');
  }
  const charge = core.state.charge(intent.latest_charge);
  if (outcome === 'succeeded') {
    Object.assign(charge, { status: 'succeeded', paid: true, captured: true, amount_captured: charge.amount });
    charge.outcome = { ...charge.outcome, seller_message: 'Payment complete.' };
    succeedPayment(core, intent, charge, request);
    return;
  }
  Object.assign(charge, { status: 'failed', failure_code: 'payment_method_provider_decline', failure_message: 'The payment was declined.' });
  charge.outcome = { network_status: 'declined_by_network', reason: null, risk_level: 'normal', seller_message: 'The payment was declined.', type: 'issuer_declined' };
  intent.status = 'requires_payment_method';
  intent.last_payment_error = {
    type: 'invalid_request_error',
    code: 'payment_method_provider_decline',
    message: 'The payment was declined.',
    charge: charge.id,
    payment_method: intent.payment_method ? structuredClone(core.state.paymentMethod(intent.payment_method)) : null,
  };
  core.events.emit('payment_intent.payment_failed', intent, request);
}
