import { Type } from 'typebox';
import { type RouteRegistrar, TENANT_ERRORS, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';

const PaymentMethodSchema = Type.Object({
  id: Type.String({ description: 'Stripe payment method id (pm_…)' }),
  brand: Type.String(),
  last4: Type.String(),
  expMonth: Type.Number(),
  expYear: Type.Number(),
  isDefault: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const registerPaymentMethodsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/payment-methods', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'List saved cards (default first)', security: tenantSecurity,
      response: { 200: Type.Object({ data: Type.Array(PaymentMethodSchema) }), ...errorResponses(...TENANT_ERRORS) },
    },
  }, async (request) => {
    const rows = await ctx.store.db.selectFrom('payment_methods').selectAll()
      .where('tenant_id', '=', principalOf(request).tenantId).where('removed_at_ms', 'is', null)
      .orderBy('is_default', 'desc').orderBy('created_at_ms', 'asc').execute();
    return {
      data: rows.map((r) => ({
        id: r.id, brand: r.brand, last4: r.last4, expMonth: Number(r.exp_month), expYear: Number(r.exp_year),
        isDefault: r.is_default === 1n, createdAt: new Date(Number(r.created_at_ms)).toISOString(),
      })),
    };
  });
};
