import { principalOf, type RouteRegistrar } from '../api/kit.ts';
import { documentLang } from './receipt-route-kit.ts';
import { buildStatement } from './statement.ts';
import { statementCsv } from './statement-views.ts';
import { CSV_RESPONSE, schema, TENANT_READ } from './statement-route-kit.ts';

export const registerStatementCsvRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/statements/:period.csv', { config: { auth: TENANT_READ }, schema: { ...schema('A monthly statement as CSV', CSV_RESPONSE), operationId: 'get_billing_statement_csv' } }, async (request, reply) => {
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    const statement = await buildStatement(ctx, principalOf(request).tenantId, request.params.period);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statement-${statement.period}.csv"`).send(statementCsv(statement, lang));
  });
};
