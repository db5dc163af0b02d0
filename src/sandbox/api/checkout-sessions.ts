import { createSession, sessionCreateShape } from '../checkout-create.ts';
import { expireSession } from '../checkout-pay.ts';
import type { CheckoutSession, SessionRecord } from '../checkout-types.ts';
import type { SandboxState } from '../state.ts';
import { oneOf, optional, parseObject, str } from '../schema.ts';
import type { StripeList } from '../types.ts';
import { paginate, paginationShape } from './list.ts';
import { pathId } from './types.ts';
import type { ApiCall, ApiRouter } from './types.ts';

const listShape = {
  ...paginationShape,
  customer: optional(str()),
  payment_intent: optional(str()),
  client_reference_id: optional(str()),
  status: optional(oneOf(['open', 'complete', 'expired'])),
};

function listSessions(call: ApiCall): StripeList<CheckoutSession> {
  const params = parseObject(listShape, call.params, '');
  const all = [...call.core.state.sessions.values()].reverse().map((record) => record.session);
  const matches = (session: CheckoutSession): boolean =>
    (params.customer === undefined || session.customer === params.customer) &&
    (params.payment_intent === undefined || session.payment_intent === params.payment_intent) &&
    (params.client_reference_id === undefined || session.client_reference_id === params.client_reference_id) &&
    (params.status === undefined || session.status === params.status);
  return paginate(all, matches, params, '/v1/checkout/sessions', 'checkout.session');
}

/** Line items as Stripe lists them; the tax is spread across items in proportion to their amounts. */
export function lineItemsList(record: SessionRecord): StripeList<object> {
  const { session, lineItems } = record;
  const subtotal = session.amount_subtotal ?? 0;
  const tax = session.total_details?.amount_tax ?? 0;
  let taxLeft = tax;
  const data = lineItems.map((item, index) => {
    const amount = item.unitAmountMinor * item.quantity;
    const itemTax = index === lineItems.length - 1 ? taxLeft : Math.floor((tax * amount) / Math.max(subtotal, 1));
    taxLeft -= itemTax;
    return {
      id: item.id, object: 'item', amount_discount: 0, amount_subtotal: amount, amount_tax: itemTax,
      amount_total: amount + itemTax, currency: item.currency, description: item.name, quantity: item.quantity,
      price: {
        id: item.priceId, object: 'price', active: false, billing_scheme: 'per_unit', created: session.created,
        currency: item.currency, custom_unit_amount: null, livemode: false, lookup_key: null, metadata: {},
        nickname: null, product: item.productId, recurring: null, tax_behavior: 'unspecified', tiers_mode: null,
        transform_quantity: null, type: 'one_time', unit_amount: item.unitAmountMinor,
        unit_amount_decimal: String(item.unitAmountMinor),
      },
    };
  });
  return { object: 'list', data, has_more: false, url: `/v1/checkout/sessions/${session.id}/line_items` };
}

export function sessionLineItems(state: SandboxState, sessionId: string): object | undefined {
  const record = state.sessions.get(sessionId);
  return record ? lineItemsList(record) : undefined;
}

export function registerCheckoutSessionRoutes(router: ApiRouter): void {
  router
    .add('POST', '/v1/checkout/sessions', (call) => createSession(call.core, parseObject(sessionCreateShape, call.params, '')).session)
    .add('GET', '/v1/checkout/sessions', listSessions)
    .add('GET', '/v1/checkout/sessions/:id', (call) => {
      parseObject({}, call.params, '');
      return call.core.state.session(pathId(call)).session;
    })
    .add('GET', '/v1/checkout/sessions/:id/line_items', (call) => {
      parseObject(paginationShape, call.params, '');
      return lineItemsList(call.core.state.session(pathId(call)));
    })
    .add('POST', '/v1/checkout/sessions/:id/expire', (call) => {
      parseObject({}, call.params, '');
      return expireSession(call.core, call.core.state.session(pathId(call)), call.request).session;
    });
}
