import type { Ctx } from '../context.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { csrfToken } from '../portal/portal-secrets.ts';
import { CONFIRMING_ATTEMPT_STATES, type ReturnQuery, bannerFor } from './billing-banners.ts';
import { readBillingData, tenantAttempt, tenantOrder } from './billing-view.ts';
import { type PageFilters, parseFilters } from './history-filter.ts';
import { numberBelongs } from './history-view.ts';
import type { PageRequest } from './page-http.ts';
import { type PageModel, cardName, renderBillingPage } from './render-billing.ts';

/** Reads what the page shows for the session's tenant and renders it, with a banner or an error if any. */
export interface RenderExtras {
  query?: ReturnQuery & { cursor?: string | undefined; remove?: string | undefined };
  formError?: PageModel['formError'];
  actionError?: string;
  autoTopupAttempt?: PageModel['autoTopupAttempt'];
  alertAttempt?: PageModel['alertAttempt'];
  /** Issue 24: the history and holds filters, already read from the query (readFilters). */
  filters?: PageFilters;
}

/** The page's filters from its query; a number id is checked to be the tenant's own. */
export async function readFilters(ctx: Ctx, page: PageRequest, session: PortalSession, query: Record<string, string | undefined>): Promise<PageFilters> {
  const asked = query.number?.trim();
  const known = asked !== undefined && asked !== '' && (await numberBelongs(ctx, session.tenantId, asked));
  return parseFilters(query, page.t, page.timeZone, ctx.nowMs(), (id) => known && id === asked);
}

export async function renderFor(ctx: Ctx, page: PageRequest, session: PortalSession, extras: RenderExtras): Promise<string> {
  const query = extras.query ?? {};
  // The order first, then the wallet: an order read as paid was credited in the same commit, so the wallet
  // read after it includes the credit. Read the other way round (or in parallel), the page could say
  // "Top-up complete" next to the balance from before the credit.
  const order = await tenantOrder(ctx, session.tenantId, query.order);
  const attempt = await tenantAttempt(ctx, session.tenantId, query.autoTopup);
  const filters = extras.filters ?? parseFilters({}, page.t, page.timeZone, ctx.nowMs(), () => false);
  const data = await readBillingData(ctx, session, { cursor: query.cursor, filter: filters.history, holdState: filters.holdState });
  const newest = [...data.cards].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  const banner = bannerFor(query, {
    t: page.t, locale: page.locale, currency: data.currency, balanceMinor: data.balanceMinor, order, attempt,
    newestCard: newest ? cardName(page.t, newest) : undefined,
  });
  return renderBillingPage({
    t: page.t, locale: page.locale, timeZone: page.timeZone, nonce: page.nonce, csrf: csrfToken(ctx.secrets.masterKey, session.id), session, data, banner,
    confirmRemove: query.remove, filters,
    recoveryConfirming: query.topup === 'success' && attempt !== undefined && CONFIRMING_ATTEMPT_STATES.includes(attempt.state), formError: extras.formError, actionError: extras.actionError, autoTopupAttempt: extras.autoTopupAttempt, alertAttempt: extras.alertAttempt,
  });
}
