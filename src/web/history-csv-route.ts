import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { type BillingPageRegistrar } from './billing-document-kit.ts';
import { queryOf } from './billing-query.ts';
import { historyCsv } from './history-csv.ts';
import { pageRequest, readSession } from './page-http.ts';
import { readFilters } from './render-page.ts';

/**
 * Issue 24: `GET /billing/history.csv?kind&number&from&to`, the history as the page filters it (history-csv.ts),
 * behind the page's session cookie. No session is 401; a filter the page would refuse is 400 with the page's
 * own words as plain text (the link only ever carries values the page accepted).
 */
export const registerHistoryCsv: BillingPageRegistrar = (pages, ctx, hidden) => {
  pages.get('/billing/history.csv', hidden, async (request, reply) => sendHistoryCsv(ctx, request, reply));
};

async function sendHistoryCsv(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const page = pageRequest(request, reply);
  const session = await readSession(ctx, request);
  const text = (status: number, body: string) => reply.status(status).type('text/plain; charset=utf-8').send(body);
  if (!session) return text(401, `${page.t.sessionEndedTitle}. ${page.t.sessionEndedText}\n`);
  const filters = await readFilters(ctx, page, session, queryOf(request));
  if (filters.problems.length > 0) return text(400, `${filters.problems.join('\n')}\n`);
  const csv = await historyCsv(ctx, session.tenantId, filters.history, page.t);
  return reply.type('text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="history.csv"')
    .header('purse-csv-rows', String(csv.rows))
    .header('purse-csv-truncated', String(csv.truncated))
    .send(csv.text);
}
