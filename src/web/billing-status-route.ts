import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import type { BillingPageRegistrar } from './billing-document-kit.ts';
import { queryOf } from './billing-query.ts';
import { CONFIRMING_ATTEMPT_STATES } from './billing-banners.ts';
import { isSettled, tenantAttempt, tenantOrder } from './billing-view.ts';
import { readSession } from './page-http.ts';

export const registerBillingStatus: BillingPageRegistrar = (pages, ctx, hidden) => {
  pages.get('/billing/status', hidden, async (request, reply) => orderStatus(ctx, request, reply));
};

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
