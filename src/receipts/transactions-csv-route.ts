import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { CSV_COLUMNS, exportTransactionsCsv } from './transactions-csv.ts';
import { CSV_RESPONSE, ExportQuery } from './statement-route-kit.ts';

export const registerTransactionsCsvRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/transactions.csv', {
    config: { auth: { kind: 'tenant', scope: 'any', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: `The ledger history as streamed CSV, oldest first (columns: ${CSV_COLUMNS.join(', ')})`, security: tenantSecurity,
      querystring: ExportQuery, operationId: 'get_billing_transactions_csv', response: { 200: CSV_RESPONSE, ...errorResponses('NUMBER_SCOPE_NOT_ALLOWED') },
    },
  }, async (request, reply) => {
    const stream = await exportTransactionsCsv(ctx, principalOf(request), request.query);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="transactions.csv"').send(stream);
  });
};
