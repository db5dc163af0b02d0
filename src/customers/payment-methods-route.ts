import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { CARDS_PAGE_SIZE_DEFAULT, CARDS_PAGE_SIZE_MAX, listPaymentMethods } from './list-payment-methods.ts';
import { removePaymentMethod, setDefaultPaymentMethod } from './remove-payment-method.ts';

const PaymentMethodSchema = Type.Object({
  id: Type.String({ description: 'Stripe payment method id (pm_…)' }),
  brand: Type.String(),
  last4: Type.String(),
  expMonth: Type.Number(),
  expYear: Type.Number(),
  isDefault: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

const Params = Type.Object({ id: Type.String({ maxLength: 255 }) });
const read = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;
const write = { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } as const;

export const registerPaymentMethodsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/payment-methods', {
    config: { auth: read },
    schema: {
      tags: ['Billing'], summary: 'List saved cards (default first, then oldest first)', security: tenantSecurity,
      querystring: Type.Object({
        limit: Type.Optional(Type.String({ description: `Page size, 1 to ${CARDS_PAGE_SIZE_MAX} (default ${CARDS_PAGE_SIZE_DEFAULT})` })),
        cursor: Type.Optional(Type.String({ description: 'The nextCursor of the previous page', maxLength: 512 })),
      }),
      response: { 200: Type.Object({ data: Type.Array(PaymentMethodSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses('CURSOR_INVALID') },
    },
  }, async (request) => listPaymentMethods(ctx.store.db, principalOf(request).tenantId, request.query as { limit?: string; cursor?: string }));

  app.post('/v1/billing/payment-methods/:id/default', {
    config: { auth: write },
    schema: {
      tags: ['Billing'], summary: 'Make a saved card the default', security: tenantSecurity, params: Params,
      response: { 200: PaymentMethodSchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => setDefaultPaymentMethod(ctx, principalOf(request).tenantId, request.params.id));

  app.delete('/v1/billing/payment-methods/:id', {
    config: { auth: write },
    schema: {
      tags: ['Billing'], summary: 'Remove a saved card (detached at Stripe)', security: tenantSecurity, params: Params,
      response: { 200: Type.Object({ id: Type.String(), removed: Type.Literal(true) }), ...errorResponses('NOT_FOUND', 'STRIPE_UNAVAILABLE') },
    },
  }, async (request) => removePaymentMethod(ctx, principalOf(request).tenantId, request.params.id));
};
