import { type RouteRegistrar, TENANT_ERRORS, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { makeDefaultPaymentMethod } from './make-default-payment-method.ts';
import { PaymentMethodParams, PaymentMethodSchema } from './payment-method-view.ts';

export const registerPaymentMethodDefaultRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/billing/payment-methods/:id/default', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } },
    schema: {
      tags: ['Billing'], summary: 'Make a saved card the default (the one auto top-up charges)', security: tenantSecurity,
      params: PaymentMethodParams,
      response: { 200: PaymentMethodSchema, ...errorResponses(...TENANT_ERRORS, 404) },
    },
  }, async (request) => makeDefaultPaymentMethod(ctx, principalOf(request).tenantId, request.params.id));
};
