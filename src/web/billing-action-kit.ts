import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { removePaymentMethod, setDefaultPaymentMethod } from '../customers/remove-payment-method.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { renderFor } from './render-page.ts';
import { type PageRequest, guardAction, pageRequest } from './page-http.ts';

/**
 * What the billing page's form actions (one per file, *-action-route.ts) share. Each runs behind
 * guardAction (session + origin + CSRF), calls the same service as the API, and answers 303 (to Checkout
 * or back to the page) or the page with the error.
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
  return async (ctx, session, request, reply, page) => {
    const id = (request.params as { id?: string }).id ?? '';
    try {
      if (kind === 'default') await setDefaultPaymentMethod(ctx, session.tenantId, id);
      else await removePaymentMethod(ctx, session.tenantId, id);
    } catch (err) {
      if (!(err instanceof PurseError)) throw err;
      return sendActionError(ctx, session, reply, page, err);
    }
    return reply.redirect(`/billing?notice=${kind === 'default' ? 'default_set' : 'card_removed'}`, 303);
  };
}

export async function sendActionError(ctx: Ctx, session: PortalSession, reply: FastifyReply, page: PageRequest, err: PurseError): Promise<FastifyReply> {
  const message = err.code === 'NOT_FOUND' ? page.t.errorCardMissing : err.code === 'STRIPE_UNAVAILABLE' ? page.t.errorStripe : page.t.errorGeneric;
  return reply.status(err.status).send(await renderFor(ctx, page, session, { actionError: message }));
}
