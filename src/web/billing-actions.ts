import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { createCheckout } from '../checkout/create-checkout.ts';
import { PurseError } from '../errors/purse-error.ts';
import { formatMajor } from '../money/money.ts';
import { removePaymentMethod, setDefaultPaymentMethod } from '../customers/remove-payment-method.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { readAmountInput } from '../i18n/amount-input.ts';
import { saveAlert, saveAutoTopup } from './settings-actions.ts';
import { AMBIGUOUS_CODE } from './form-messages.ts';
import { orProblem, problemLocation, problemOf } from './form-problems.ts';
import { type PageRequest, formBody, guardAction, pageRequest } from './page-http.ts';

/**
 * The billing page's form actions. Each runs behind guardAction (session + origin + CSRF), calls the
 * same service as the API, and always answers 303: to Checkout, or back to the page with a notice or the
 * refusal (form-problems.ts), so a reload never posts a form again.
 */
const PRESET_PATTERN = /^[0-9]{1,15}$/;
const AMOUNT_TEXT_LENGTH_MAX = 40;
type Action = (ctx: Ctx, session: PortalSession, request: FastifyRequest, reply: FastifyReply, page: PageRequest) => Promise<FastifyReply>;

export function registerBillingActions(app: App, ctx: Ctx, options: RouteShorthandOptions): void {
  const guarded = (action: Action) => async (request: FastifyRequest, reply: FastifyReply) => {
    const page = pageRequest(request, reply);
    const session = await guardAction(ctx, request, reply, page);
    if (!session) return reply;
    return action(ctx, session, request, reply, page);
  };
  app.post('/billing/topup', options, guarded(topUp));
  app.post('/billing/cards', options, guarded(addCard));
  app.post('/billing/cards/:id/default', options, guarded(cardAction('default')));
  app.post('/billing/cards/:id/remove', options, guarded(cardAction('remove')));
  app.post('/billing/auto-topup', options, guarded(saveAutoTopup));
  app.post('/billing/alerts', options, guarded(saveAlert));
}

async function topUp(ctx: Ctx, session: PortalSession, request: FastifyRequest, reply: FastifyReply, page: PageRequest): Promise<FastifyReply> {
  const body = formBody(request);
  const currency = await tenantCurrency(ctx, session.tenantId);
  const typed = (body.amount ?? '').slice(0, AMOUNT_TEXT_LENGTH_MAX);
  const back = (code: string, field?: string) => reply.redirect(problemLocation('topup', { code, field }, { amount: typed }), 303);
  const preset = body.preset !== undefined && PRESET_PATTERN.test(body.preset) ? formatMajor(BigInt(body.preset), currency) : undefined;
  const read = typed.trim() === '' ? undefined : readAmountInput(typed, page.locale, currency);
  if (preset === undefined && read?.kind === 'ambiguous') return back(AMBIGUOUS_CODE);
  const amount = preset ?? (read?.kind === 'decimal' ? read.text : undefined);
  try {
    const checkout = await createCheckout(ctx, session.tenantId, {
      body: { purpose: 'wallet_topup', ...(amount !== undefined ? { amount } : {}) }, schemaProblem: undefined, idempotencyKey: undefined,
    });
    return reply.redirect(checkout.url, 303);
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    const problem = problemOf(err);
    return back(problem.code, problem.field);
  }
}

async function addCard(ctx: Ctx, session: PortalSession, _request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const checkout = await createCheckout(ctx, session.tenantId, { body: { purpose: 'add_card' }, schemaProblem: undefined, idempotencyKey: undefined });
    return reply.redirect(checkout.url, 303);
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    return reply.redirect(problemLocation('card', problemOf(err)), 303);
  }
}

function cardAction(kind: 'default' | 'remove'): Action {
  return async (ctx, session, request, reply) => {
    const id = (request.params as { id?: string }).id ?? '';
    const problem = await orProblem(() => (kind === 'default' ? setDefaultPaymentMethod(ctx, session.tenantId, id) : removePaymentMethod(ctx, session.tenantId, id)));
    if (problem) return reply.redirect(problemLocation('card', problem), 303);
    return reply.redirect(`/billing?notice=${kind === 'default' ? 'default_set' : 'card_removed'}#cards`, 303);
  };
}
