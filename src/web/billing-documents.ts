import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { renderReceiptPdf } from '../receipts/receipt-pdf.ts';
import { findReceipt } from '../receipts/receipts-store.ts';
import { buildStatement } from '../receipts/statement.ts';
import { statementCsv, statementPdf } from '../receipts/statement-views.ts';
import { exportTransactionsCsv } from '../receipts/transactions-csv.ts';
import type { ReceiptRow } from '../store/schema.ts';
import { readSession } from './page-http.ts';
import { negotiateLang } from '../i18n/locale.ts';

/** Receipts shown on the page (the newest), and months offered as statements (this one and the ones before). */
export const PAGE_RECEIPTS_MAX = 10;
export const PAGE_STATEMENT_MONTHS = 12;
const ID_LENGTH_MAX = 64;
const PERIOD_LENGTH_MAX = 16;

/**
 * Downloads behind the billing page's session cookie (issue 22): a receipt's PDF, a month's statement as PDF
 * or CSV, and the whole history as CSV — the same documents as the API, for the customer in the browser.
 */
export function registerBillingDocuments(pages: App, ctx: Ctx, hidden: object): void {
  const idParams = { params: { type: 'object', properties: { id: { type: 'string', maxLength: ID_LENGTH_MAX } } } };
  const periodParams = { params: { type: 'object', properties: { period: { type: 'string', maxLength: PERIOD_LENGTH_MAX } } } };
  pages.get('/billing/receipts/:id.pdf', { ...hidden, schema: { hide: true, ...idParams } }, async (request, reply) => withSession(ctx, request, reply, async (tenantId) => {
    const row: ReceiptRow = await findReceipt(ctx.store.db, tenantId, (request.params as { id: string }).id);
    const pdf = await renderReceiptPdf(ctx, row, negotiateLang(request.headers['accept-language']));
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${pdf.fileName}"`).send(pdf.bytes);
  }));
  for (const format of ['pdf', 'csv'] as const) {
    pages.get(`/billing/statements/:period.${format}`, { ...hidden, schema: { hide: true, ...periodParams } }, async (request, reply) => withSession(ctx, request, reply, async (tenantId, tenantName) => {
      const lang = negotiateLang(request.headers['accept-language']);
      const statement = await buildStatement(ctx, tenantId, (request.params as { period: string }).period);
      const name = `statement-${statement.period}.${format}`;
      void reply.header('content-disposition', `attachment; filename="${name}"`);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(statementCsv(statement, lang));
      return reply.type('application/pdf').send(await statementPdf(statement, lang, ctx.config.receipts, tenantName));
    }));
  }
  pages.get('/billing/transactions.csv', hidden, async (request, reply) => withSession(ctx, request, reply, async (tenantId) => {
    const stream = await exportTransactionsCsv(ctx, { keyId: 'portal', tenantId, scope: 'tenant', numberId: null, permissions: ['billing:read'] }, {});
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="transactions.csv"').send(stream);
  }));
}

/** Runs `work` for the session's tenant; no session is 401, a refused input its own 4xx as JSON. */
async function withSession(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, work: (tenantId: string, tenantName: string) => Promise<FastifyReply>): Promise<FastifyReply> {
  void reply.header('cache-control', 'no-store');
  const session = await readSession(ctx, request);
  if (!session) return reply.status(401).send({ error: 'Unauthorized', code: 'UNAUTHORIZED' });
  try {
    return await work(session.tenantId, session.tenantName);
  } catch (err) {
    if (err instanceof PurseError) return reply.status(err.status).send(err.toBody());
    throw err;
  }
}

/** The months offered: the current one back to the tenant's first month, at most PAGE_STATEMENT_MONTHS. */
export function statementMonths(nowMs: number, sinceMs: number): string[] {
  const months: string[] = [];
  const now = new Date(nowMs);
  for (let i = 0; i < PAGE_STATEMENT_MONTHS; i += 1) {
    const startMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1);
    if (i > 0 && Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i + 1, 1) <= sinceMs) break;
    months.push(new Date(startMs).toISOString().slice(0, 7));
  }
  return months;
}
