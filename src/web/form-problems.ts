import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { topupBounds } from '../money/limits.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { type MessageFacts, type Problem, actionMessage, alertProblem, autoTopupProblem, topupMessage } from './form-messages.ts';
import type { PageRequest } from './page-http.ts';
import type { RenderExtras } from './render-page.ts';
import { AUTO_TOPUP_FIELDS, type AutoTopupField } from './render-settings.ts';

/**
 * Post/redirect/get for refusals too: a refused form answers 303 to `/billing?form=…&code=…` with what the
 * customer typed, and the GET renders the message beside the field. Reloading the page then re-reads it;
 * it never posts the form again. Only codes and the customer's own short text travel in the address.
 */
export type FormName = 'topup' | 'auto_topup' | 'alert' | 'card';
const ANCHORS: Record<FormName, string> = { topup: 'topup', auto_topup: 'auto-topup', alert: 'low-balance', card: 'cards' };
const CODE_PATTERN = /^[A-Z_]{1,40}$/;
const FIELD_PATTERN = /^[A-Za-z]{1,20}$/;

export function problemLocation(form: FormName, problem: Problem, values: Record<string, string> = {}): string {
  const query = new URLSearchParams({ form, code: problem.code, ...(problem.field ? { field: problem.field } : {}), ...values });
  return `/billing?${query.toString()}#${ANCHORS[form]}`;
}

/** A PurseError as the problem the page reports: its code and the first field it names. */
export function problemOf(err: PurseError): Problem {
  return { code: err.code, field: err.details?.[0]?.field };
}

type Query = Record<string, string | undefined>;

/** The refusal a redirected GET carries, as the extras the page renders; nothing for a plain GET. */
export async function readProblemExtras(ctx: Ctx, page: PageRequest, session: PortalSession, query: Query): Promise<RenderExtras> {
  const form = query.form;
  const code = query.code;
  if (!form || !code || !CODE_PATTERN.test(code)) return {};
  const field = query.field && FIELD_PATTERN.test(query.field) ? query.field : undefined;
  const problem: Problem = { code, field };
  if (form === 'card') return { actionError: actionMessage(code, page.t) };
  const currency = await tenantCurrency(ctx, session.tenantId);
  const facts: MessageFacts = { t: page.t, locale: page.locale, currency, bounds: topupBounds(currency, ctx.config.topupLimits) };
  if (form === 'topup') {
    const typed = query.amount ?? '';
    return { formError: { message: topupMessage(problem, facts, typed), amountText: typed } };
  }
  if (form === 'auto_topup') {
    const values = Object.fromEntries(AUTO_TOPUP_FIELDS.map((f) => [f, query[f] ?? ''])) as Record<AutoTopupField, string>;
    return { autoTopupAttempt: { enabled: query.enabled === 'on', values, problem: autoTopupProblem(problem, facts, values) } };
  }
  if (form === 'alert') {
    const value = query.lowBalance ?? '';
    return { alertAttempt: { value, problem: alertProblem(problem, facts, value) } };
  }
  return {};
}

/** Runs a service call; a PurseError becomes the 303 to the page with the refusal, anything else is thrown on. */
export async function orProblem(work: () => Promise<unknown>): Promise<Problem | undefined> {
  try {
    await work();
    return undefined;
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    return problemOf(err);
  }
}
