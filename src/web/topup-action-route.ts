import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { createCheckout } from '../checkout/create-checkout.ts';
import { PurseError } from '../errors/purse-error.ts';
import { topupBounds } from '../money/limits.ts';
import { formatMajor } from '../money/money.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { renderFor } from './render-page.ts';
import type { Catalog } from '../i18n/en.ts';
import { type Lang, formatMoney, normalizeAmount } from '../i18n/locale.ts';
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
