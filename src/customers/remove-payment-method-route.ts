import { Type } from 'typebox';
import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { removePaymentMethod } from './remove-payment-method.ts';
import { Params, write } from './payment-method-route-kit.ts';

export const registerRemovePaymentMethodRoute: RouteRegistrar = (app, ctx) => {
  app.delete('/v1/billing/payment-methods/:id', {
    config: { auth: write },
    schema: {
      tags: ['Billing'], summary: 'Remove a saved card (detached at Stripe)', security: tenantSecurity, params: Params,
      response: { 200: Type.Object({ id: Type.String(), removed: Type.Literal(true) }), ...errorResponses('NOT_FOUND', 'STRIPE_UNAVAILABLE') },
    },
  }, async (request) => removePaymentMethod(ctx, principalOf(request).tenantId, request.params.id));
};
