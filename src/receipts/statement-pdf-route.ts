import { principalOf, type RouteRegistrar } from '../api/kit.ts';
import { documentLang, PDF_RESPONSE } from './receipt-route-kit.ts';
import { buildStatement } from './statement.ts';
import { statementPdf } from './statement-views.ts';
import { schema, TENANT_READ } from './statement-route-kit.ts';

export const registerStatementPdfRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/statements/:period.pdf', { config: { auth: TENANT_READ }, schema: { ...schema('A monthly statement as PDF', PDF_RESPONSE), operationId: 'get_billing_statement_pdf' } }, async (request, reply) => {
    const { tenantId } = principalOf(request);
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    const statement = await buildStatement(ctx, tenantId, request.params.period);
    const tenant = await ctx.store.db.selectFrom('tenants').select(['name']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    const bytes = await statementPdf(statement, lang, ctx.config.receipts, tenant.name);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="statement-${statement.period}.pdf"`).send(bytes);
  });
};
