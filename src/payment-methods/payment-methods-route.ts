import { Type } from 'typebox';
import { type RouteRegistrar, TENANT_ERRORS, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { PaymentMethodSchema, listPaymentMethods } from './payment-method-view.ts';

export const registerPaymentMethodsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/payment-methods', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'List saved cards (default first)', security: tenantSecurity,
      response: { 200: Type.Object({ data: Type.Array(PaymentMethodSchema) }), ...errorResponses(...TENANT_ERRORS) },
    },
  }, async (request) => ({ data: await listPaymentMethods(ctx.store.db, principalOf(request).tenantId) }));
};
