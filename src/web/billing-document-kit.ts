import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { readSession } from './page-http.ts';

/**
 * What the billing page's downloads (one per file, *-download-route.ts; issue 22) share: the id and
 * period parameters and the session guard.
 */
const ID_LENGTH_MAX = 64;
const PERIOD_LENGTH_MAX = 16;

/** Registers one page or download on the billing page's scope, with the page's (hidden, public) route options. */
export type BillingPageRegistrar = (pages: App, ctx: Ctx, hidden: object) => void;

export const idParams = { params: { type: 'object', properties: { id: { type: 'string', maxLength: ID_LENGTH_MAX } } } };
export const periodParams = { params: { type: 'object', properties: { period: { type: 'string', maxLength: PERIOD_LENGTH_MAX } } } };

/** Runs `work` for the session's tenant; no session is 401, a refused input its own 4xx as JSON. */
export async function withSession(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, work: (tenantId: string, tenantName: string) => Promise<FastifyReply>): Promise<FastifyReply> {
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
