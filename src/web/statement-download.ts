import type { Ctx } from '../context.ts';
import type { App } from '../api/kit.ts';
import { buildStatement } from '../receipts/statement.ts';
import { statementCsv, statementPdf } from '../receipts/statement-views.ts';
import { negotiateLang } from '../i18n/locale.ts';
import { periodParams, withSession } from './billing-document-kit.ts';

/** A month's statement as PDF or CSV, behind the billing page's session cookie (one route per format: statement-*-download-route.ts). */
export function registerStatementDownload(pages: App, ctx: Ctx, hidden: object, format: 'pdf' | 'csv'): void {
  pages.get(`/billing/statements/:period.${format}`, { ...hidden, schema: { hide: true, ...periodParams } }, async (request, reply) => withSession(ctx, request, reply, async (tenantId, tenantName) => {
    const lang = negotiateLang(request.headers['accept-language']);
    const statement = await buildStatement(ctx, tenantId, (request.params as { period: string }).period);
    const name = `statement-${statement.period}.${format}`;
    void reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(statementCsv(statement, lang));
    return reply.type('application/pdf').send(await statementPdf(statement, lang, ctx.config.receipts, tenantName));
  }));
}
