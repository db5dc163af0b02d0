import { exportTransactionsCsv } from '../receipts/transactions-csv.ts';
import { type BillingPageRegistrar, withSession } from './billing-document-kit.ts';

/** The whole history as CSV, behind the billing page's session cookie. */
export const registerHistoryDownload: BillingPageRegistrar = (pages, ctx, hidden) => {
  pages.get('/billing/transactions.csv', hidden, async (request, reply) => withSession(ctx, request, reply, async (tenantId) => {
    const stream = await exportTransactionsCsv(ctx, { keyId: 'portal', tenantId, scope: 'tenant', numberId: null, permissions: ['billing:read'] }, {});
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="transactions.csv"').send(stream);
  }));
};
