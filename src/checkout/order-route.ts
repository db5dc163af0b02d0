import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
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
}, {
  examples: [{
    orderId: 'cto_01JD8ZT2D4E6F8G0H2J4K6M8N0', purpose: 'wallet_topup', state: 'paid', amount: 50, currency: 'BRL',
    url: 'https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4', successUrl: 'https://app.acme.com/billing/ok', cancelUrl: 'https://app.acme.com/billing',
    failure: null, ledgerTransactionId: 'txn_01JD8ZV4E6F8G0H2J4K6M8N0P2',
    stripe: { customerId: 'cus_Q1w2E3r4T5y6U7', checkoutSessionId: 'cs_test_a1B2c3D4', paymentIntentId: 'pi_3Q1w2E3r4T5y6U7i', setupIntentId: null },
    createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:01:10.000Z', expiresAt: '2026-03-01T12:30:00.000Z', completedAt: '2026-03-01T12:01:10.000Z',
  }],
});

export const registerOrderRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/checkout/:orderId', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'Read a checkout order and its state', security: tenantSecurity,
      params: Type.Object({ orderId: Type.String({ maxLength: 64 }) }),
      response: { 200: OrderSchema, ...errorResponses('NOT_FOUND') },
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
