import { Type } from 'typebox';
import { type RouteRegistrar, TENANT_ERRORS, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { PurseError } from '../errors/purse-error.ts';
import { toMajorNumber } from '../money/money.ts';
import type { CheckoutOrderRow } from '../store/schema.ts';
import { findOrder } from './orders-store.ts';

const OrderSchema = Type.Object({
  orderId: Type.String(),
  purpose: Type.String({ enum: ['wallet_topup', 'add_card'] }),
  state: Type.String({ enum: ['open', 'processing', 'paid', 'failed', 'expired', 'canceled', 'completed'] }),
  amount: Type.Union([Type.Number(), Type.Null()]),
  currency: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  successUrl: Type.String(),
  cancelUrl: Type.String(),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  ledgerTransactionId: Type.Union([Type.String(), Type.Null()]),
  stripe: Type.Object({
    customerId: Type.Union([Type.String(), Type.Null()]),
    checkoutSessionId: Type.Union([Type.String(), Type.Null()]),
    paymentIntentId: Type.Union([Type.String(), Type.Null()]),
    setupIntentId: Type.Union([Type.String(), Type.Null()]),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const registerOrderRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/checkout/:orderId', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'Read a checkout order and its state', security: tenantSecurity,
      params: Type.Object({ orderId: Type.String({ maxLength: 64 }) }),
      response: { 200: OrderSchema, ...errorResponses(...TENANT_ERRORS, 404) },
    },
  }, async (request) => {
    const order = await findOrder(ctx.store.db, request.params.orderId);
    // Another tenant's order is indistinguishable from no order.
    if (!order || order.tenant_id !== principalOf(request).tenantId) throw new PurseError('NOT_FOUND');
    return toOrderView(order);
  });
};

function iso(ms: bigint | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

export function toOrderView(order: CheckoutOrderRow) {
  return {
    orderId: order.id,
    purpose: order.purpose,
    state: order.state,
    amount: order.amount_minor === null ? null : toMajorNumber(order.amount_minor, order.currency),
    currency: order.currency,
    url: order.checkout_url,
    successUrl: order.success_url,
    cancelUrl: order.cancel_url,
    failure: order.failure_code ? { code: order.failure_code, message: order.failure_message } : null,
    ledgerTransactionId: order.ledger_transaction_id,
    stripe: {
      customerId: order.stripe_customer_id,
      checkoutSessionId: order.stripe_session_id,
      paymentIntentId: order.stripe_payment_intent_id,
      setupIntentId: order.stripe_setup_intent_id,
    },
    createdAt: iso(order.created_at_ms)!,
    updatedAt: iso(order.updated_at_ms)!,
    expiresAt: iso(order.expires_at_ms),
    completedAt: iso(order.completed_at_ms),
  };
}
