import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { setDefaultPaymentMethod } from './remove-payment-method.ts';
import { Params, PaymentMethodSchema, write } from './payment-method-route-kit.ts';

export const registerSetDefaultPaymentMethodRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/billing/payment-methods/:id/default', {
    config: { auth: write },
    schema: {
      tags: ['Billing'], summary: 'Make a saved card the default', security: tenantSecurity, params: Params,
      response: { 200: PaymentMethodSchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => setDefaultPaymentMethod(ctx, principalOf(request).tenantId, request.params.id));
};
