import { refundCharge } from '../charge-ops.ts';
import { invalidRequest } from '../errors.ts';
import { int, metadata, oneOf, optional, parseObject, str } from '../schema.ts';
import { newestFirst } from '../state.ts';
import type { Charge, Refund, StripeList } from '../types.ts';
import { paginate, paginationShape } from './list.ts';
import { pathId } from './types.ts';
import type { ApiCall, ApiRouter } from './types.ts';

const refundShape = {
  charge: optional(str()),
  payment_intent: optional(str()),
  amount: optional(int({ min: 1 })),
  metadata: optional(metadata()),
  reason: optional(oneOf(['duplicate', 'fraudulent', 'requested_by_customer'])),
};

function chargeToRefund(call: ApiCall, charge: string | undefined, paymentIntent: string | undefined): Charge {
  const { state } = call.core;
  if (charge && paymentIntent) throw invalidRequest('You can only pass one of charge or payment_intent.', 'payment_intent');
  if (charge) return state.charge(charge, 'charge');
  if (!paymentIntent) {
    throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', undefined, 'parameter_missing');
  }
  const intent = state.paymentIntent(paymentIntent, 'payment_intent');
  if (intent.status !== 'succeeded' || !intent.latest_charge) {
    throw invalidRequest(`PaymentIntent ${intent.id} does not have a successful charge to refund.`, 'payment_intent', 'charge_not_refundable');
  }
  return state.charge(intent.latest_charge);
}

function createRefund(call: ApiCall): Refund {
  const params = parseObject(refundShape, call.params, '');
  const charge = chargeToRefund(call, params.charge, params.payment_intent);
  const input = { amount: params.amount, metadata: params.metadata, reason: params.reason };
  return refundCharge(call.core, charge, input, call.request);
}

function listCharges(call: ApiCall): StripeList<Charge> {
  const params = parseObject({ ...paginationShape, payment_intent: optional(str()), customer: optional(str()) }, call.params, '');
  const matches = (charge: Charge): boolean =>
    (params.payment_intent === undefined || charge.payment_intent === params.payment_intent) &&
    (params.customer === undefined || charge.customer === params.customer);
  return paginate(newestFirst(call.core.state.charges), matches, params, '/v1/charges', 'charge');
}

function noParams<T>(lookup: (call: ApiCall) => T): (call: ApiCall) => T {
  return (call) => {
    parseObject({}, call.params, '');
    return lookup(call);
  };
}

export function registerChargeRoutes(router: ApiRouter): void {
  router
    .add('GET', '/v1/charges', listCharges)
    .add('GET', '/v1/charges/:id', noParams((call) => call.core.state.charge(pathId(call))))
    .add('POST', '/v1/refunds', createRefund)
    .add('GET', '/v1/refunds/:id', noParams((call) => call.core.state.refund(pathId(call))))
    .add('GET', '/v1/disputes/:id', noParams((call) => call.core.state.dispute(pathId(call))));
}
