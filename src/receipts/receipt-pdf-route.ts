import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { findReceipt } from './receipts-store.ts';
import { renderReceiptPdf } from './receipt-pdf.ts';
import { documentLang, LangQuery, Params, PDF_RESPONSE, TENANT_READ } from './receipt-route-kit.ts';

export const registerReceiptPdfRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/receipts/:id.pdf', {
    config: { auth: TENANT_READ },
    schema: {
      tags: ['Billing'], summary: 'A receipt or credit note as PDF, in the tenant\'s language', security: tenantSecurity, params: Params, querystring: LangQuery,
      operationId: 'get_billing_receipt_pdf',
      response: { 200: PDF_RESPONSE, ...errorResponses('NOT_FOUND') },
    },
  }, async (request, reply) => {
    const { tenantId } = principalOf(request);
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    const pdf = await renderReceiptPdf(ctx, await findReceipt(ctx.store.db, tenantId, request.params.id), lang);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${pdf.fileName}"`).send(pdf.bytes);
  });
};
