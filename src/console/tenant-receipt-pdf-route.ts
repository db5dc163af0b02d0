import { renderReceiptPdf } from '../receipts/receipt-pdf.ts';
import { findReceipt } from '../receipts/receipts-store.ts';
import { requireOperator, sendPage } from './console-http.ts';
import { renderMessage } from './console-shell.ts';
import { refusedAs } from './tenant-actions.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerTenantReceiptPdf: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/tenants/:id/receipts/:receiptId.pdf', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    if (!viewer) return reply;
    const { id, receiptId } = request.params as { id: string; receiptId: string };
    const row = await findReceipt(ctx.store.db, id, receiptId).catch(refusedAs(undefined));
    if (!row) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noRows, 'NOT_FOUND', viewer), 404);
    const pdf = await renderReceiptPdf(ctx, row, viewer.lang);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${pdf.fileName}"`).send(pdf.bytes);
  });
};
