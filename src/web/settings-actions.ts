import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { setAutoTopup } from '../auto-topup/set-auto-topup.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { setAlerts } from '../wallet/alerts.ts';
import { readAmountInput } from '../i18n/amount-input.ts';
import { AMBIGUOUS_CODE } from './form-messages.ts';
import { orProblem, problemLocation } from './form-problems.ts';
import { type PageRequest, formBody } from './page-http.ts';
import { AUTO_TOPUP_FIELDS, type AutoTopupField } from './render-settings.ts';

/**
 * The settings forms' actions (behind guardAction, like every form): the customer's text, read in their
 * locale's number format, goes to the same services as `PUT /v1/billing/auto-topup` and
 * `PUT /v1/billing/alerts`, which parse it into minor units and judge it. A refusal answers 303 to the
 * page with the code and the customer's text (form-problems.ts); a number that reads two ways is refused
 * here, before the service, naming its field.
 */
const AMOUNT_TEXT_LENGTH_MAX = 40;

function textOf(body: Record<string, string>, name: string): string {
  return (body[name] ?? '').slice(0, AMOUNT_TEXT_LENGTH_MAX);
}

type Reading = { ok: true; decimals: Record<string, string | undefined> } | { ok: false; field: string };

/** Empty means "not given"; anything else is handed on as the plain decimal the service parses. */
function readAmounts(values: Record<string, string>, locale: string, currency: string): Reading {
  const decimals: Record<string, string | undefined> = {};
  for (const [field, text] of Object.entries(values)) {
    if (text.trim() === '') continue;
    const read = readAmountInput(text, locale, currency);
    if (read.kind === 'ambiguous') return { ok: false, field };
    decimals[field] = read.text;
  }
  return { ok: true, decimals };
}

export async function saveAutoTopup(ctx: Ctx, session: PortalSession, request: FastifyRequest, reply: FastifyReply, page: PageRequest): Promise<FastifyReply> {
  const body = formBody(request);
  const values = Object.fromEntries(AUTO_TOPUP_FIELDS.map((f) => [f, textOf(body, f)])) as Record<AutoTopupField, string>;
  const enabled = body.enabled === 'on';
  const back = (code: string, field: string | undefined) =>
    reply.redirect(problemLocation('auto_topup', { code, field }, { ...values, ...(enabled ? { enabled: 'on' } : {}) }), 303);
  const read = readAmounts(values, page.locale, await tenantCurrency(ctx, session.tenantId));
  if (!read.ok) return back(AMBIGUOUS_CODE, read.field);
  const d = read.decimals;
  const problem = await orProblem(async () => {
    await setAutoTopup(ctx, session.tenantId, { enabled, threshold: d.threshold, amount: d.amount, targetBalance: d.targetBalance, monthlyCap: d.monthlyCap ?? null });
  });
  if (problem) return back(problem.code, problem.field);
  return reply.redirect('/billing?notice=auto_topup_saved#auto-topup', 303);
}

export async function saveAlert(ctx: Ctx, session: PortalSession, request: FastifyRequest, reply: FastifyReply, page: PageRequest): Promise<FastifyReply> {
  const value = textOf(formBody(request), 'lowBalance');
  const back = (code: string, field: string | undefined) => reply.redirect(problemLocation('alert', { code, field }, { lowBalance: value }), 303);
  const read = readAmounts({ lowBalance: value }, page.locale, await tenantCurrency(ctx, session.tenantId));
  if (!read.ok) return back(AMBIGUOUS_CODE, read.field);
  const problem = await orProblem(async () => {
    await setAlerts(ctx, session.tenantId, { lowBalance: read.decimals.lowBalance ?? null });
  });
  if (problem) return back(problem.code, problem.field);
  return reply.redirect('/billing?notice=alert_saved#low-balance', 303);
}
