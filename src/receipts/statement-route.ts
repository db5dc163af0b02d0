import { principalOf, type RouteRegistrar } from '../api/kit.ts';
import { documentLang } from './receipt-route-kit.ts';
import { buildStatement } from './statement.ts';
import { StatementSchema, toStatementView } from './statement-views.ts';
import { schema, TENANT_READ } from './statement-route-kit.ts';

export const registerStatementRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/statements/:period', { config: { auth: TENANT_READ }, schema: schema('A monthly statement', StatementSchema) }, async (request) => {
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    return toStatementView(await buildStatement(ctx, principalOf(request).tenantId, request.params.period), lang);
  });
};
