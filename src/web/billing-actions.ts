import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { createCheckout } from '../checkout/create-checkout.ts';
import { PurseError } from '../errors/purse-error.ts';
import { topupBounds } from '../money/limits.ts';
import { formatMajor } from '../money/money.ts';
import { removePaymentMethod, setDefaultPaymentMethod } from '../customers/remove-payment-method.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { renderFor } from './render-page.ts';
import { saveAlert, saveAutoTopup } from './settings-actions.ts';
import type { Catalog } from '../i18n/en.ts';
import { type Lang, formatMoney, normalizeAmount } from '../i18n/locale.ts';
import { type PageRequest, formBody, guardAction, pageRequest } from './page-http.ts';

/**
 * The billing page's form actions. Each runs behind guardAction (session + origin + CSRF), calls the
 * same service as the API, and answers 303 (to Checkout or back to the page) or the page with the error.
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
  const preset = body.preset !== undefined && PRESET_PATTERN.test(body.preset) ? formatMajor(BigInt(body.preset), currency) : undefined;
  const amount = preset ?? (typed.trim() === '' ? undefined : normalizeAmount(typed, page.lang));
  try {
    const checkout = await createCheckout(ctx, session.tenantId, {
      body: { purpose: 'wallet_topup', ...(amount !== undefined ? { amount } : {}) }, schemaProblem: undefined, idempotencyKey: undefined,
    });
    return reply.redirect(checkout.url, 303);
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    const message = amountMessage(ctx, err, page.t, page.lang, currency);
    const html = await renderFor(ctx, page, session, { formError: { message, amountText: typed } });
    return reply.status(err.status).send(html);
  }
}

function amountMessage(ctx: Ctx, err: PurseError, t: Catalog, lang: Lang, currency: string): string {
  const bounds = topupBounds(currency, ctx.config.topupLimits);
  switch (err.code) {
    case 'AMOUNT_REQUIRED': return t.errorAmountRequired;
    case 'AMOUNT_INVALID': return t.errorAmountInvalid;
    case 'AMOUNT_BELOW_MINIMUM': return t.errorAmountBelow(formatMoney(bounds.minMinor, currency, lang));
    case 'AMOUNT_ABOVE_MAXIMUM': return t.errorAmountAbove(formatMoney(bounds.maxMinor, currency, lang));
    case 'STRIPE_UNAVAILABLE': return t.errorStripe;
    default: return t.errorGeneric;
  }
}

async function addCard(ctx: Ctx, session: PortalSession, _request: FastifyRequest, reply: FastifyReply, page: PageRequest): Promise<FastifyReply> {
  try {
    const checkout = await createCheckout(ctx, session.tenantId, { body: { purpose: 'add_card' }, schemaProblem: undefined, idempotencyKey: undefined });
    return reply.redirect(checkout.url, 303);
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    return sendActionError(ctx, session, reply, page, err);
  }
}

function cardAction(kind: 'default' | 'remove'): Action {
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

async function sendActionError(ctx: Ctx, session: PortalSession, reply: FastifyReply, page: PageRequest, err: PurseError): Promise<FastifyReply> {
  const message = err.code === 'NOT_FOUND' ? page.t.errorCardMissing : err.code === 'STRIPE_UNAVAILABLE' ? page.t.errorStripe : page.t.errorGeneric;
  return reply.status(err.status).send(await renderFor(ctx, page, session, { actionError: message }));
}
