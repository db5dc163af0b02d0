import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { setAutoTopup } from '../auto-topup/set-auto-topup.ts';
import { PurseError } from '../errors/purse-error.ts';
import { type TopupBounds, topupBounds } from '../money/limits.ts';
import { parseMajor } from '../money/money.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { LOW_BALANCE_MINOR_MAX, setAlerts } from '../wallet/alerts.ts';
import type { Catalog } from '../i18n/en.ts';
import { type Lang, formatMoney, normalizeAmount } from '../i18n/locale.ts';
import { type PageRequest, formBody } from './page-http.ts';
import { renderFor } from './render-page.ts';
import { AUTO_TOPUP_FIELDS, type AutoTopupField, type FieldProblem } from './render-settings.ts';

/**
 * The settings forms' actions (behind guardAction, like every form): the customer's text, read in their
 * language's number format, goes to the same services as `PUT /v1/billing/auto-topup` and
 * `PUT /v1/billing/alerts`, which parse it into minor units and judge it. A refusal comes back as the
 * page, the message naming the field the service named.
 */
const AMOUNT_TEXT_LENGTH_MAX = 40;

interface Money {
  t: Catalog;
  lang: Lang;
  currency: string;
}

function textOf(body: Record<string, string>, name: string): string {
  return (body[name] ?? '').slice(0, AMOUNT_TEXT_LENGTH_MAX);
}

/** Empty means "not given"; anything else is handed on as the plain decimal the service parses. */
function amountOf(text: string, lang: Lang): string | undefined {
  return text.trim() === '' ? undefined : normalizeAmount(text, lang);
}

export async function saveAutoTopup(ctx: Ctx, session: PortalSession, request: FastifyRequest, reply: FastifyReply, page: PageRequest): Promise<FastifyReply> {
  const body = formBody(request);
  const values = Object.fromEntries(AUTO_TOPUP_FIELDS.map((f) => [f, textOf(body, f)])) as Record<AutoTopupField, string>;
  const enabled = body.enabled === 'on';
  try {
    await setAutoTopup(ctx, session.tenantId, {
      enabled,
      threshold: amountOf(values.threshold, page.lang),
      amount: amountOf(values.amount, page.lang),
      targetBalance: amountOf(values.targetBalance, page.lang),
      monthlyCap: amountOf(values.monthlyCap, page.lang) ?? null,
    });
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    const currency = await tenantCurrency(ctx, session.tenantId);
    const problem = autoTopupProblem(err, { t: page.t, lang: page.lang, currency }, topupBounds(currency, ctx.config.topupLimits), values);
    return reply.status(err.status).send(await renderFor(ctx, page, session, { autoTopupAttempt: { enabled, values, problem } }));
  }
  return reply.redirect('/billing?notice=auto_topup_saved', 303);
}

export async function saveAlert(ctx: Ctx, session: PortalSession, request: FastifyRequest, reply: FastifyReply, page: PageRequest): Promise<FastifyReply> {
  const value = textOf(formBody(request), 'lowBalance');
  try {
    await setAlerts(ctx, session.tenantId, { lowBalance: amountOf(value, page.lang) ?? null });
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    const currency = await tenantCurrency(ctx, session.tenantId);
    const problem = alertProblem(err, { t: page.t, lang: page.lang, currency }, value);
    return reply.status(err.status).send(await renderFor(ctx, page, session, { alertAttempt: { value, problem } }));
  }
  return reply.redirect('/billing?notice=alert_saved', 303);
}

function labelOf(t: Catalog, field: AutoTopupField): string {
  return { threshold: t.autoTopupThreshold, amount: t.autoTopupAmount, targetBalance: t.autoTopupTarget, monthlyCap: t.autoTopupCap }[field];
}

function isAutoTopupField(field: string | undefined): field is AutoTopupField {
  return (AUTO_TOPUP_FIELDS as readonly (string | undefined)[]).includes(field);
}

/** The service's refusal, said for people. The field is the one the service named; the parse only picks the wording. */
function autoTopupProblem(err: PurseError, m: Money, bounds: TopupBounds, values: Record<AutoTopupField, string>): FieldProblem {
  const { t } = m;
  if (err.code === 'NO_PAYMENT_METHOD') return { field: undefined, message: t.errorNoPaymentMethod };
  const field = err.details?.[0]?.field;
  if (!isAutoTopupField(field)) return { field: undefined, message: err.code === 'STRIPE_UNAVAILABLE' ? t.errorStripe : t.errorGeneric };
  const label = labelOf(t, field);
  const parsed = parseMajor(normalizeAmount(values[field], m.lang), m.currency);
  const say = (message: string): FieldProblem => ({ field, message });
  switch (err.code) {
    case 'AMOUNT_REQUIRED': return say(field === 'amount' ? t.errorAmountOrTargetMissing : t.errorFieldRequired(label));
    case 'VALIDATION_ERROR': return say(field === 'targetBalance' ? t.errorAmountOrTarget : t.errorFieldRequired(label));
    case 'AMOUNT_INVALID': return say(invalidMessage(t, label, parsed, field === 'targetBalance'));
    case 'AMOUNT_BELOW_MINIMUM': {
      if (field !== 'monthlyCap') return say(t.errorFieldBelow(label, formatMoney(bounds.minMinor, m.currency, m.lang)));
      const amount = parseMajor(normalizeAmount(values.amount, m.lang), m.currency);
      return say(t.errorCapBelowCharge(formatMoney(typeof amount === 'bigint' && values.amount.trim() !== '' ? amount : bounds.minMinor, m.currency, m.lang)));
    }
    case 'AMOUNT_ABOVE_MAXIMUM': return say(t.errorFieldAbove(label, formatMoney(bounds.maxMinor, m.currency, m.lang)));
    default: return say(t.errorGeneric);
  }
}

function invalidMessage(t: Catalog, label: string, parsed: bigint | 'invalid' | 'too_precise', isTarget: boolean): string {
  if (parsed === 'too_precise') return t.errorFieldTooPrecise(label);
  if (parsed === 'invalid') return t.errorFieldInvalid(label);
  if (isTarget) return t.errorTargetNotAboveThreshold;
  return t.errorFieldPositive(label);
}

function alertProblem(err: PurseError, m: Money, value: string): FieldProblem {
  const { t } = m;
  if (err.details?.[0]?.field !== 'lowBalance') return { field: undefined, message: t.errorGeneric };
  const parsed = parseMajor(normalizeAmount(value, m.lang), m.currency);
  const message = typeof parsed === 'bigint' && parsed > LOW_BALANCE_MINOR_MAX
    ? t.errorFieldAbove(t.alertLabel, formatMoney(LOW_BALANCE_MINOR_MAX, m.currency, m.lang))
    : invalidMessage(t, t.alertLabel, parsed, false);
  return { field: 'lowBalance', message };
}
