import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, RouteRegistrar } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { openPortalSession, portalReturnLink } from '../portal/open-portal-session.ts';
import { registerBillingActions } from './billing-actions.ts';
import { registerBillingDocuments } from './billing-documents.ts';
import { CONFIRMING_ATTEMPT_STATES, type ReturnQuery } from './billing-banners.ts';
import { isSettled, tenantAttempt, tenantOrder } from './billing-view.ts';
import { compressHtml } from './compress-page.ts';
import { readProblemExtras } from './form-problems.ts';
import { renderFor } from './render-page.ts';
import { type PageRequest, SESSION_COOKIE, cookieValue, pageRequest, readSession, sessionCookie } from './page-http.ts';
import { type NoticeKind, type NoticeOptions, renderNotice } from './render-notices.ts';

/**
 * `/billing`: the customer's billing page, opened through a portal link (`?session=…`, traded once for a
 * cookie) and the landing page Stripe returns customers to. Forms post to `/billing/*` (billing-actions.ts).
 */
const FORM_BODY_LIMIT_BYTES = 8 * 1024;
const QUERY_VALUE_LENGTH_MAX = 200;
const SERVER_TIMING_DECIMALS = 2;
const hidden = { schema: { hide: true }, config: { auth: { kind: 'public' as const } } };

export const registerBillingPage: RouteRegistrar = (app, ctx) => {
  void app.register(async (scope) => {
    const pages = scope as unknown as App;
    pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    pages.addHook('onSend', compressHtml);
    pages.get('/billing', hidden, async (request, reply) => showBilling(ctx, request, reply));
    pages.get('/billing/status', hidden, async (request, reply) => orderStatus(ctx, request, reply));
    registerBillingActions(pages, ctx, hidden);
    registerBillingDocuments(pages, ctx, hidden);
  });
};

function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && value.length <= QUERY_VALUE_LENGTH_MAX) out[key] = value;
  }
  return out;
}

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
  const body = await renderFor(ctx, page, session, { query, ...(await readProblemExtras(ctx, page, session, query)) });
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

/** `GET /billing/status?order=…` (or `?autoTopup=atu_…`): the tiny JSON the return page polls until the webhook has done its work. */
async function orderStatus(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  void reply.header('cache-control', 'no-store');
  const session = await readSession(ctx, request);
  if (!session) return reply.status(401).send({ error: 'Unauthorized', code: 'UNAUTHORIZED' });
  const query = queryOf(request);
  if (query.autoTopup !== undefined) {
    const attempt = await tenantAttempt(ctx, session.tenantId, query.autoTopup);
    if (!attempt) return reply.status(404).send({ error: 'Not found', code: 'NOT_FOUND' });
    return reply.send({ autoTopupAttemptId: attempt.id, state: attempt.state, settled: !CONFIRMING_ATTEMPT_STATES.includes(attempt.state) });
  }
  const order = await tenantOrder(ctx, session.tenantId, query.order);
  if (!order) return reply.status(404).send({ error: 'Not found', code: 'NOT_FOUND' });
  return reply.send({ orderId: order.id, purpose: order.purpose, state: order.state, settled: isSettled(order) });
}
