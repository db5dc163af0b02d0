import type { ReceiptRow } from '../store/schema.ts';
import { renderReceiptPdf } from '../receipts/receipt-pdf.ts';
import { findReceipt } from '../receipts/receipts-store.ts';
import { negotiateLang } from '../i18n/locale.ts';
import { type BillingPageRegistrar, idParams, withSession } from './billing-document-kit.ts';

/** A receipt's PDF, behind the billing page's session cookie. */
export const registerReceiptDownload: BillingPageRegistrar = (pages, ctx, hidden) => {
  pages.get('/billing/receipts/:id.pdf', { ...hidden, schema: { hide: true, ...idParams } }, async (request, reply) => withSession(ctx, request, reply, async (tenantId) => {
    const row: ReceiptRow = await findReceipt(ctx.store.db, tenantId, (request.params as { id: string }).id);
    const pdf = await renderReceiptPdf(ctx, row, negotiateLang(request.headers['accept-language']));
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${pdf.fileName}"`).send(pdf.bytes);
  }));
};
