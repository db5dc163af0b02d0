import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { createCheckout } from '../checkout/create-checkout.ts';
import { PurseError } from '../errors/purse-error.ts';
import { formatMajor } from '../money/money.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { readAmountInput } from '../i18n/amount-input.ts';
import { AMBIGUOUS_CODE } from './form-messages.ts';
import { problemLocation, problemOf } from './form-problems.ts';
import { type PageRequest, formBody } from './page-http.ts';
import { type ActionRegistrar, guarded } from './billing-action-kit.ts';

const PRESET_PATTERN = /^[0-9]{1,15}$/;
const AMOUNT_TEXT_LENGTH_MAX = 40;

export const registerTopUpAction: ActionRegistrar = (app, ctx, options) => {
  app.post('/billing/topup', options, guarded(ctx, topUp));
};

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
