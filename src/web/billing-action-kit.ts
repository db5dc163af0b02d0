import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { removePaymentMethod, setDefaultPaymentMethod } from '../customers/remove-payment-method.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { orProblem, problemLocation } from './form-problems.ts';
import { type PageRequest, guardAction, pageRequest } from './page-http.ts';

/**
 * What the billing page's form actions (one per file, *-action-route.ts) share. Each runs behind
 * guardAction (session + origin + CSRF), calls the same service as the API, and always answers 303: to
 * Checkout, or back to the page with a notice or the refusal (form-problems.ts), so a reload never posts a
 * form again.
 */
export type Action = (ctx: Ctx, session: PortalSession, request: FastifyRequest, reply: FastifyReply, page: PageRequest) => Promise<FastifyReply>;

/** Registers one form action on the billing page's scope, with the page's (hidden, public) route options. */
export type ActionRegistrar = (app: App, ctx: Ctx, options: RouteShorthandOptions) => void;

export function guarded(ctx: Ctx, action: Action) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const page = pageRequest(request, reply);
    const session = await guardAction(ctx, request, reply, page);
    if (!session) return reply;
    return action(ctx, session, request, reply, page);
  };
}

export function cardAction(kind: 'default' | 'remove'): Action {
  return async (ctx, session, request, reply) => {
    const id = (request.params as { id?: string }).id ?? '';
    const problem = await orProblem(() => (kind === 'default' ? setDefaultPaymentMethod(ctx, session.tenantId, id) : removePaymentMethod(ctx, session.tenantId, id)));
    if (problem) return reply.redirect(problemLocation('card', problem), 303);
    return reply.redirect(`/billing?notice=${kind === 'default' ? 'default_set' : 'card_removed'}#cards`, 303);
  };
}
