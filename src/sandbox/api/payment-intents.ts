import { unixSeconds } from '../clock.ts';
import type { SandboxCore } from '../core.ts';
import { invalidRequest } from '../errors.ts';
import { amountMaxMinor, formatMinor, isSupportedCurrency, minimumChargeFor, stepProblem } from '../money.ts';
import { newPaymentIntent } from '../objects.ts';
import { confirmCardPayment } from '../payments.ts';
import { arr, bool, int, metadata, oneOf, optional, parseObject, str } from '../schema.ts';
import type { ObjectOf } from '../schema.ts';
import { newestFirst } from '../state.ts';
import type { PaymentIntent, PaymentMethod, StripeList } from '../types.ts';
import { paginate, paginationShape } from './list.ts';
import { resolvePaymentMethod } from './payment-methods.ts';
import { pathId } from './types.ts';
import type { ApiCall, ApiRouter } from './types.ts';

const createShape = {
  amount: int({ min: 1, max: amountMaxMinor }),
  currency: str(),
  customer: optional(str()),
  payment_method: optional(str()),
  off_session: optional(oneOf(['true', 'false', 'one_off', 'recurring'])),
  confirm: optional(bool()),
  metadata: optional(metadata()),
  description: optional(str({ maxLength: 1000 })),
  payment_method_types: optional(arr(str())),
  allowed_payment_method_types: optional(arr(str())),
  setup_future_usage: optional(oneOf(['on_session', 'off_session'])),
};
type CreateParams = ObjectOf<typeof createShape>;

function checkAmount(amount: number, currency: string): void {
  if (!isSupportedCurrency(currency)) throw invalidRequest(`Invalid currency: ${currency}`, 'currency', 'parameter_invalid_string');
  const minimum = minimumChargeFor(currency);
  if (amount < minimum) {
    throw invalidRequest(`Amount must be at least ${formatMinor(minimum, currency)}`, 'amount', 'amount_too_small');
  }
  const offStep = stepProblem(currency, amount);
  if (offStep) throw invalidRequest(offStep, 'amount', 'amount_invalid');
}

/** Stripe's ownership rules between a PaymentMethod and the PaymentIntent's customer. */
function checkOwnership(method: PaymentMethod, customer: string | null): void {
  if (method.customer && !customer) {
    throw invalidRequest(
      `The provided PaymentMethod ${method.id} belongs to a Customer, but you did not provide a Customer. Provide the customer parameter.`,
      'payment_method',
    );
  }
  if (method.customer && customer && method.customer !== customer) {
    throw invalidRequest(`The provided PaymentMethod ${method.id} does not belong to the Customer ${customer}.`, 'payment_method');
  }
}

function validate(core: SandboxCore, params: CreateParams): { currency: string; offSession: boolean; method: PaymentMethod | null } {
  const currency = params.currency.toLowerCase();
  checkAmount(params.amount, currency);
  if (params.customer) core.state.customer(params.customer, 'customer');
  const offSession = params.off_session !== undefined && params.off_session !== 'false';
  if (offSession && !params.confirm) throw invalidRequest('off_session=true can only be used with confirm=true.', 'off_session');
  if (params.confirm && !params.payment_method) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update it with a payment_method and try again.",
      'payment_method',
      'payment_intent_unexpected_state',
    );
  }
  const method = params.payment_method ? resolvePaymentMethod(core, params.payment_method, 'payment_method') : null;
  if (method) checkOwnership(method, params.customer ?? null);
  return { currency, offSession, method };
}

function createPaymentIntent(call: ApiCall): PaymentIntent {
  const { core } = call;
  const params = parseObject(createShape, call.params, '');
  const { currency, offSession, method } = validate(core, params);
  const intent = newPaymentIntent(unixSeconds(core.clock), {
    amount: params.amount,
    currency,
    customer: params.customer ?? null,
    description: params.description ?? null,
    metadata: params.metadata ?? {},
    paymentMethod: method?.id ?? null,
    setupFutureUsage: params.setup_future_usage ?? null,
    paymentMethodTypes: params.allowed_payment_method_types ?? params.payment_method_types ?? ['card'],
  });
  core.state.paymentIntents.set(intent.id, intent);
  if (params.confirm && method) confirmCardPayment(core, intent, method, { offSession, onPage: false, request: call.request });
  return intent;
}

function listPaymentIntents(call: ApiCall): StripeList<PaymentIntent> {
  const params = parseObject({ ...paginationShape, customer: optional(str()) }, call.params, '');
  const matches = (intent: PaymentIntent): boolean => params.customer === undefined || intent.customer === params.customer;
  return paginate(newestFirst(call.core.state.paymentIntents), matches, params, '/v1/payment_intents', 'payment_intent');
}

export function registerPaymentIntentRoutes(router: ApiRouter): void {
  router
    .add('POST', '/v1/payment_intents', createPaymentIntent)
    .add('GET', '/v1/payment_intents', listPaymentIntents)
    .add('GET', '/v1/payment_intents/:id', (call) => {
      parseObject({}, call.params, '');
      return call.core.state.paymentIntent(pathId(call));
    });
}
