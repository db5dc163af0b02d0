import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { createCheckout } from '../checkout/create-checkout.ts';
import { PurseError } from '../errors/purse-error.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { problemLocation, problemOf } from './form-problems.ts';
import { type ActionRegistrar, guarded } from './billing-action-kit.ts';

export const registerAddCardAction: ActionRegistrar = (app, ctx, options) => {
  app.post('/billing/cards', options, guarded(ctx, addCard));
};

async function addCard(ctx: Ctx, session: PortalSession, _request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const checkout = await createCheckout(ctx, session.tenantId, { body: { purpose: 'add_card' }, schemaProblem: undefined, idempotencyKey: undefined });
    return reply.redirect(checkout.url, 303);
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    return reply.redirect(problemLocation('card', problemOf(err)), 303);
  }
}
