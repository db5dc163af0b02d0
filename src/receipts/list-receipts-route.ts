import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { listReceiptRows } from './receipts-store.ts';
import { toReceiptView } from './receipt-view.ts';
import { PageSchema, Query, TENANT_READ } from './receipt-route-kit.ts';

export const registerListReceiptsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/receipts', {
    config: { auth: TENANT_READ },
    schema: { tags: ['Billing'], summary: 'List receipts and credit notes, newest first', security: tenantSecurity, querystring: Query, response: { 200: PageSchema, ...errorResponses('CURSOR_INVALID') } },
  }, async (request) => {
    const page = await listReceiptRows(ctx.store.reader(), principalOf(request).tenantId, request.query);
    return { data: page.rows.map((r) => toReceiptView(r, ctx.config.publicUrl)), nextCursor: page.nextCursor };
  });
};
