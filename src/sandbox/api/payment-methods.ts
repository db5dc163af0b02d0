import { magicPaymentMethods, resolveCardNumber } from '../cards.ts';
import { unixSeconds } from '../clock.ts';
import type { SandboxCore } from '../core.ts';
import { invalidRequest } from '../errors.ts';
import { emptyAddress, newCardPaymentMethod } from '../objects.ts';
import { oneOf, optional, parseObject, str } from '../schema.ts';
import { newestFirst } from '../state.ts';
import type { PaymentMethod, SetupIntent, StripeList } from '../types.ts';
import { paginate, paginationShape } from './list.ts';
import { pathId } from './types.ts';
import type { ApiCall, ApiRouter } from './types.ts';

const magicCardExpiryMonth = 12;
const magicCardExpiryYearsAhead = 5;
const methodTypes = ['card', 'boleto', 'us_bank_account', 'sepa_debit'] as const;

/** A stored PaymentMethod, or a fresh one minted from a magic test id like `pm_card_visa`, as Stripe does. */
export function resolvePaymentMethod(core: SandboxCore, id: string, param: string): PaymentMethod {
  const magicNumber = magicPaymentMethods[id];
  if (magicNumber === undefined) return core.state.paymentMethod(id, param);
  const card = resolveCardNumber(magicNumber);
  const expiry = { month: magicCardExpiryMonth, year: new Date(core.clock.nowMs()).getUTCFullYear() + magicCardExpiryYearsAhead };
  const billing = { address: emptyAddress(), email: null, name: null, phone: null };
  const method = newCardPaymentMethod(unixSeconds(core.clock), card, expiry, billing);
  core.state.paymentMethods.set(method.id, method);
  core.state.cardByPaymentMethod.set(method.id, card);
  return method;
}

/** `customerParam` is the param to blame for an unknown customer; none when the id is in the path (404). */
function listForCustomer(
  call: ApiCall, customer: string, customerParam: string | undefined, type: string | undefined, url: string, params: object,
): StripeList<PaymentMethod> {
  call.core.state.customer(customer, customerParam);
  const matches = (method: PaymentMethod): boolean => method.customer === customer && (type === undefined || method.type === type);
  return paginate(newestFirst(call.core.state.paymentMethods), matches, params, url, 'payment_method');
}

function listPaymentMethods(call: ApiCall): StripeList<PaymentMethod> {
  const params = parseObject({ ...paginationShape, customer: optional(str()), type: optional(oneOf(methodTypes)) }, call.params, '');
  if (!params.customer) throw invalidRequest('The sandbox lists PaymentMethods by customer; pass customer.', 'customer');
  return listForCustomer(call, params.customer, 'customer', params.type, '/v1/payment_methods', params);
}

function listCustomerPaymentMethods(call: ApiCall): StripeList<PaymentMethod> {
  const params = parseObject({ ...paginationShape, type: optional(oneOf(methodTypes)) }, call.params, '');
  const customer = pathId(call);
  return listForCustomer(call, customer, undefined, params.type, `/v1/customers/${customer}/payment_methods`, params);
}

function attachPaymentMethod(call: ApiCall): PaymentMethod {
  const params = parseObject({ customer: str() }, call.params, '');
  call.core.state.customer(params.customer, 'customer');
  const method = resolvePaymentMethod(call.core, pathId(call), 'payment_method');
  if (method.customer && method.customer !== params.customer) {
    throw invalidRequest(`The payment method ${method.id} is already attached to another customer.`, 'payment_method');
  }
  method.customer = params.customer;
  return method;
}

/** Detaching also clears the customer's default, as Stripe does. */
function detachPaymentMethod(call: ApiCall): PaymentMethod {
  parseObject({}, call.params, '');
  const method = call.core.state.paymentMethod(pathId(call));
  if (!method.customer) {
    throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', undefined, 'payment_method_unexpected_state');
  }
  const customer = call.core.state.customers.get(method.customer);
  if (customer?.invoice_settings.default_payment_method === method.id) customer.invoice_settings.default_payment_method = null;
  method.customer = null;
  return method;
}

function retrieveSetupIntent(call: ApiCall): SetupIntent {
  parseObject({ client_secret: optional(str()) }, call.params, '');
  return call.core.state.setupIntent(pathId(call));
}

export function registerPaymentMethodRoutes(router: ApiRouter): void {
  router
    .add('GET', '/v1/payment_methods', listPaymentMethods)
    .add('GET', '/v1/customers/:id/payment_methods', listCustomerPaymentMethods)
    .add('GET', '/v1/payment_methods/:id', (call) => {
      parseObject({}, call.params, '');
      return call.core.state.paymentMethod(pathId(call));
    })
    .add('POST', '/v1/payment_methods/:id/attach', attachPaymentMethod)
    .add('POST', '/v1/payment_methods/:id/detach', detachPaymentMethod)
    .add('GET', '/v1/setup_intents/:id', retrieveSetupIntent);
}
