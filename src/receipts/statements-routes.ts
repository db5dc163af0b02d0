import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { documentLang, PDF_RESPONSE } from './receipts-routes.ts';
import { buildStatement } from './statement.ts';
import { StatementSchema, statementCsv, statementPdf, toStatementView } from './statement-views.ts';
import { CSV_COLUMNS, exportTransactionsCsv } from './transactions-csv.ts';

const PERIOD_LENGTH_MAX = 16;
const FILTER_LENGTH_MAX = 40;
const TENANT_READ = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;
const Params = Type.Object({ period: Type.String({ maxLength: PERIOD_LENGTH_MAX, description: 'YYYY-MM (UTC), not in the future' }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ enum: ['en', 'pt-BR'] })) }, { additionalProperties: false });
const CSV_RESPONSE = { description: 'RFC 4180 CSV with a header row', content: { 'text/csv': { schema: Type.Unsafe<unknown>(Type.String()) } } };
const ExportQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'YYYY-MM-DD or ISO date-time (UTC), inclusive' })),
  to: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'YYYY-MM-DD (through that day) or ISO date-time (UTC), inclusive' })),
  kind: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'One ledger kind' })),
  numberId: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'num_…; a number key may name only its own' })),
}, { additionalProperties: false });

/** Monthly statements (JSON, PDF, CSV) and the streamed history export (issue 22, SPEC §9.2). */
export const registerStatementRoutes: RouteRegistrar = (app, ctx) => {
  const schema = (summary: string, ok: unknown) => ({
    tags: ['Billing'], summary, security: tenantSecurity, params: Params, querystring: LangQuery, response: { 200: ok, ...errorResponses('PERIOD_INVALID') },
  });
  app.get('/v1/billing/statements/:period', { config: { auth: TENANT_READ }, schema: schema('A monthly statement', StatementSchema) }, async (request) => {
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    return toStatementView(await buildStatement(ctx, principalOf(request).tenantId, request.params.period), lang);
  });
  app.get('/v1/billing/statements/:period.csv', { config: { auth: TENANT_READ }, schema: { ...schema('A monthly statement as CSV', CSV_RESPONSE), operationId: 'get_billing_statement_csv' } }, async (request, reply) => {
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    const statement = await buildStatement(ctx, principalOf(request).tenantId, request.params.period);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statement-${statement.period}.csv"`).send(statementCsv(statement, lang));
  });
  app.get('/v1/billing/statements/:period.pdf', { config: { auth: TENANT_READ }, schema: { ...schema('A monthly statement as PDF', PDF_RESPONSE), operationId: 'get_billing_statement_pdf' } }, async (request, reply) => {
    const { tenantId } = principalOf(request);
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    const statement = await buildStatement(ctx, tenantId, request.params.period);
    const tenant = await ctx.store.db.selectFrom('tenants').select(['name']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    const bytes = await statementPdf(statement, lang, ctx.config.receipts, tenant.name);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="statement-${statement.period}.pdf"`).send(bytes);
  });
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
