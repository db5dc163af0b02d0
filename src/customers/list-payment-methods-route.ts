import { Type } from 'typebox';
import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { CARDS_PAGE_SIZE_DEFAULT, CARDS_PAGE_SIZE_MAX, listPaymentMethods } from './list-payment-methods.ts';
import { PaymentMethodSchema, read } from './payment-method-route-kit.ts';

export const registerListPaymentMethodsRoute: RouteRegistrar = (app, ctx) => {
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
};
