import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { openPortalSession, portalReturnLink } from '../portal/open-portal-session.ts';
import type { ReturnQuery } from './billing-banners.ts';
import type { BillingPageRegistrar } from './billing-document-kit.ts';
import { queryOf } from './billing-query.ts';
import { readProblemExtras } from './form-problems.ts';
import { readFilters, renderFor } from './render-page.ts';
import { type PageRequest, SESSION_COOKIE, cookieValue, pageRequest, readSession, sessionCookie } from './page-http.ts';
import { type NoticeKind, type NoticeOptions, renderNotice } from './render-notices.ts';

const SERVER_TIMING_DECIMALS = 2;

/** `GET /billing`: the page itself, or the portal link traded for a cookie, or the landing without a session. */
export const registerBillingHome: BillingPageRegistrar = (pages, ctx, hidden) => {
  pages.get('/billing', hidden, async (request, reply) => showBilling(ctx, request, reply));
};

async function showBilling(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const page = pageRequest(request, reply);
  const query = queryOf(request);
  if (query.session !== undefined) {
    const opened = await openPortalSession(ctx, query.session);
    if (!opened) return reply.status(410).send(renderNotice('link_invalid', page.t, page.nonce, { back: await portalReturnLink(ctx, { token: query.session }) }));
    // Drop the token from the address bar and history at once; the cookie carries the session from here.
    return reply.header('set-cookie', sessionCookie(ctx, opened)).redirect('/billing', 303);
  }
  const startMs = performance.now();
  const session = await readSession(ctx, request);
  if (!session) return sendLanding(reply, page, query, await portalReturnLink(ctx, { cookie: cookieValue(request, SESSION_COOKIE) }));
  const filters = await readFilters(ctx, page, session, query);
  const body = await renderFor(ctx, page, session, { query, filters, ...(await readProblemExtras(ctx, page, session, query)) });
  // A filter value the page cannot use is the request's fault: said on the page, answered 400.
  if (filters.problems.length > 0 || filters.holdProblem !== null) void reply.status(400);
  // The server's own time for the page (session, reads, HTML): what the bench judges against its 20 ms goal.
  return reply.header('server-timing', `render;dur=${(performance.now() - startMs).toFixed(SERVER_TIMING_DECIMALS)}`).send(body);
}

/** No session: a return from Checkout still gets an honest word (never "credited"), anything else the way back. */
function sendLanding(reply: FastifyReply, page: PageRequest, query: ReturnQuery, back: NoticeOptions['back']): FastifyReply {
  const kind: NoticeKind = query.topup === 'success' ? 'landing_paid'
    : query.card === 'saved' ? 'landing_card'
    : query.topup === 'cancelled' || query.card === 'cancelled' ? 'landing_cancelled'
    : 'session_ended';
  const orderId = query.order && /^cto_[0-9A-Z]{26}$/.test(query.order) ? query.order : undefined;
  return reply.status(kind === 'session_ended' ? 401 : 200).send(renderNotice(kind, page.t, page.nonce, { orderId, back }));
}
