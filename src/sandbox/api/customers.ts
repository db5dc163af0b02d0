import { invalidRequest } from '../errors.ts';
import { newCustomer } from '../objects.ts';
import { emptyable, metadata, obj, optional, parseObject, str } from '../schema.ts';
import type { ObjectOf } from '../schema.ts';
import { unixSeconds } from '../clock.ts';
import type { Address, Customer } from '../types.ts';
import type { SandboxState } from '../state.ts';
import { pathId } from './types.ts';
import type { ApiCall, ApiRouter } from './types.ts';

const text = optional(emptyable(str()));

export const addressShape = {
  line1: text, line2: text, city: text, state: text, postal_code: text, country: text,
};

const customerShape = {
  email: optional(emptyable(str({ maxLength: 512 }))),
  name: optional(emptyable(str({ maxLength: 256 }))),
  description: optional(emptyable(str())),
  phone: optional(emptyable(str({ maxLength: 20 }))),
  metadata: optional(emptyable(metadata())),
  address: optional(emptyable(obj(addressShape))),
  invoice_settings: optional(obj({ default_payment_method: optional(emptyable(str())) })),
};
type CustomerParams = ObjectOf<typeof customerShape>;

export function toAddress(input: ObjectOf<typeof addressShape>): Address {
  return {
    line1: input.line1 ?? null, line2: input.line2 ?? null, city: input.city ?? null,
    state: input.state ?? null, postal_code: input.postal_code ?? null, country: input.country?.toUpperCase() ?? null,
  };
}

/** Stripe metadata updates merge; an empty value deletes the key; an empty hash clears everything. */
export function mergeMetadata(current: Record<string, string>, update: Record<string, string> | null): Record<string, string> {
  if (update === null) return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Validated before anything changes, so a bad default payment method leaves the customer untouched. */
function checkDefaultMethod(state: SandboxState, customerId: string, methodId: string | null | undefined): void {
  if (methodId === undefined || methodId === null) return;
  const param = 'invoice_settings[default_payment_method]';
  const method = state.paymentMethod(methodId, param);
  if (method.customer !== customerId) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${methodId}. The payment method must be attached to the customer.`,
      param,
      'resource_missing',
    );
  }
}

function applyCustomerParams(state: SandboxState, customer: Customer, params: CustomerParams): void {
  const defaultMethod = params.invoice_settings?.default_payment_method;
  checkDefaultMethod(state, customer.id, defaultMethod);
  if (params.email !== undefined) customer.email = params.email;
  if (params.name !== undefined) customer.name = params.name;
  if (params.description !== undefined) customer.description = params.description;
  if (params.phone !== undefined) customer.phone = params.phone;
  if (params.metadata !== undefined) customer.metadata = mergeMetadata(customer.metadata, params.metadata);
  if (params.address !== undefined) customer.address = params.address === null ? null : toAddress(params.address);
  if (defaultMethod !== undefined) customer.invoice_settings.default_payment_method = defaultMethod;
}

function createCustomer(call: ApiCall): Customer {
  const params = parseObject(customerShape, call.params, '');
  const customer = newCustomer(unixSeconds(call.core.clock));
  applyCustomerParams(call.core.state, customer, params);
  call.core.state.customers.set(customer.id, customer);
  return customer;
}

function updateCustomer(call: ApiCall): Customer {
  const customer = call.core.state.customer(pathId(call));
  applyCustomerParams(call.core.state, customer, parseObject(customerShape, call.params, ''));
  return customer;
}

function retrieveCustomer(call: ApiCall): Customer {
  parseObject({}, call.params, '');
  return call.core.state.customer(pathId(call));
}

export function registerCustomerRoutes(router: ApiRouter): void {
  router
    .add('POST', '/v1/customers', createCustomer)
    .add('GET', '/v1/customers/:id', retrieveCustomer)
    .add('POST', '/v1/customers/:id', updateCustomer);
}
