import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { findReceipt } from './receipts-store.ts';
import { ReceiptSchema, toReceiptView } from './receipt-view.ts';
import { Params, TENANT_READ } from './receipt-route-kit.ts';

export const registerReadReceiptRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/receipts/:id', {
    config: { auth: TENANT_READ },
    schema: { tags: ['Billing'], summary: 'One receipt or credit note', security: tenantSecurity, params: Params, response: { 200: ReceiptSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => toReceiptView(await findReceipt(ctx.store.db, principalOf(request).tenantId, request.params.id), ctx.config.publicUrl));
};
