import { Type } from 'typebox';
import { type RouteRegistrar, TENANT_ERRORS, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { PaymentMethodParams } from './payment-method-view.ts';
import { removePaymentMethod } from './remove-payment-method.ts';

export const registerPaymentMethodRemoveRoute: RouteRegistrar = (app, ctx) => {
  app.delete('/v1/billing/payment-methods/:id', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } },
    schema: {
      tags: ['Billing'], summary: 'Remove a saved card (detached at Stripe; the newest remaining card becomes default)', security: tenantSecurity,
      params: PaymentMethodParams,
      response: { 200: Type.Object({ id: Type.String(), removed: Type.Literal(true) }), ...errorResponses(...TENANT_ERRORS, 404, 502) },
    },
  }, async (request) => removePaymentMethod(ctx, principalOf(request).tenantId, request.params.id));
};
