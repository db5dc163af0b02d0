import type { FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/audit-log.ts';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { ulid } from '../ids/ids.ts';
import { listApiKeys } from '../tenants/keys.ts';
import { parseSignedAmount } from '../money/signed-amount.ts';
import { adjustWallet } from '../wallet/adjust-wallet.ts';
import { html } from '../web/html.ts';
import { formatMoney, normalizeAmount } from '../i18n/locale.ts';
import { formBody } from '../web/page-http.ts';
import { auditActorOf, type ConsoleViewer, guardWrite, sendPage } from './console-http.ts';
import { consoleLayout, dataTable, hiddenCsrf, notice, renderMessage } from './console-shell.ts';
import { amountInWords, queryOf } from './console-util.ts';
import { searchTenants } from './tenant-search.ts';
import { tenantSections } from './tenant-sections.ts';
import { tenantMoneySections } from './tenant-money-sections.ts';
import { historySection, parseHistoryFilter, readHistory } from './tenant-history.ts';

/** Tenants (search, filters, pages), one tenant, and its actions: adjustment (owner, confirmed first) and portal link (support). */
const NUMBER_ROWS = 50;
const REASON_LENGTH_MAX = 500;
const REFERENCE_PATTERN = /^[0-9A-Z]{26}$/;


export function renderTenantList(viewer: ConsoleViewer, query: Record<string, string | undefined>, found: Awaited<ReturnType<typeof searchTenants>>): string {
  const t = viewer.t;
  const rows = found.rows.map((r) => [html`<a href="/admin/tenants/${r.id}">${r.name}</a>`, html`<code>${r.id}</code>`, formatMoney(r.balanceMinor, r.currency, viewer.lang), r.status]);
  const nextHref = found.nextCursor ? `?${new URLSearchParams({ ...definedOf(query), cursor: found.nextCursor }).toString()}` : undefined;
  const filter = query.filter ?? '';
  return consoleLayout(viewer, t.tenants, html`<section><form method="get" action="/admin/tenants" class="row" role="search">
<div><label for="q">${t.search}</label><input type="text" id="q" name="q" value="${query.q ?? ''}"></div>
<div><label for="currency">${t.currency}</label><input type="text" id="currency" name="currency" value="${query.currency ?? ''}" maxlength="3"></div>
<div><label for="filter">${t.filter}</label><select id="filter" name="filter"><option value="">${t.all}</option>
<option value="low"${filter === 'low' ? html` selected` : ''}>${t.lowBalance}</option><option value="paused"${filter === 'paused' ? html` selected` : ''}>${t.pausedFilter}</option></select></div>
<button type="submit">${t.search}</button></form></section>
<section>${dataTable(t.tenants, [t.name, 'Id', t.balance, t.status], rows, t.noRows)}${nextHref ? html`<p class="pager"><a href="${nextHref}">${t.next}</a></p>` : ''}</section>`, viewer);
}

function definedOf(query: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'cursor'));
}

export async function showTenant(ctx: Ctx, viewer: ConsoleViewer, request: FastifyRequest, reply: FastifyReply, noticeText?: string, portalUrl?: string): Promise<FastifyReply> {
  const t = viewer.t;
  const tenantId = (request.params as { id: string }).id;
  const filter = parseHistoryFilter(queryOf(request));
  if (!filter) return sendPage(reply, viewer, renderMessage(viewer, t.filterInvalid, 'VALIDATION_ERROR', viewer), 400);
  // One round trip's worth of waiting: every read at once (an unknown id simply finds nothing in each).
  const [tenant, history, numbers, keys, sections, moneySections] = await Promise.all([
    ctx.store.db.selectFrom('tenants as t').innerJoin('wallets as w', 'w.tenant_id', 't.id')
      .select(['t.id', 't.name', 't.status', 'w.currency', 'w.balance_minor', 'w.held_minor']).where('t.id', '=', tenantId).executeTakeFirst(),
    readHistory(ctx, tenantId, filter),
    ctx.store.db.selectFrom('numbers').select(['id', 'name']).where('tenant_id', '=', tenantId).orderBy('created_at_ms').limit(NUMBER_ROWS).execute(),
    listApiKeys(ctx, tenantId).catch(() => []),
    tenantSections(ctx, viewer, tenantId),
    tenantMoneySections(ctx, viewer, tenantId),
  ]);
  if (!tenant) return sendPage(reply, viewer, renderMessage(viewer, t.noRows, 'NOT_FOUND', viewer), 404);
  const money = (minor: bigint) => formatMoney(minor, tenant.currency, viewer.lang);
  const text = noticeText === undefined ? undefined : ({ adjusted: t.adjusted, resumed: t.resumed, replayed: t.replayed } as Record<string, string>)[noticeText];
  const body = html`${notice(text)}${portalUrl ? html`<div class="banner ok" role="status"><p>${t.portalIssued}</p><p><code data-portal-link>${portalUrl}</code></p></div>` : ''}
<section><h2>${tenant.name}</h2><p><code>${tenant.id}</code> · ${tenant.status}</p><dl class="figures">
<div><dt>${t.balance}</dt><dd data-balance>${money(tenant.balance_minor)}</dd></div><div><dt>${t.held}</dt><dd>${money(tenant.held_minor)}</dd></div>
<div><dt>${t.available}</dt><dd>${money(tenant.balance_minor - tenant.held_minor)}</dd></div></dl></section>
${historySection(viewer, tenant, filter, history, numbers)}
${moneySections}
${sections}
<section><h2>Numbers</h2>${dataTable('Numbers', ['Id', t.name], numbers.map((n) => [n.id, n.name]), t.noRows)}</section>
<section><h2>${t.keys}</h2>${dataTable(t.keys, ['Id', 'Hint', t.status], keys.map((k) => [k.id, k.hint ?? '', k.revokedAt ? 'revoked' : 'active']), t.noRows)}</section>
<section><h2>${t.portal}</h2><form method="post" action="/admin/tenants/${tenant.id}/portal-link">${hiddenCsrf(viewer)}<button type="submit">${t.issuePortal}</button></form></section>
<section><h2>${t.adjust}</h2><form method="post" action="/admin/tenants/${tenant.id}/adjust">${hiddenCsrf(viewer)}
<label for="amount">${t.amount} (${tenant.currency})</label><input type="text" id="amount" name="amount" inputmode="decimal" required>
<label for="reason">${t.reason}</label><input type="text" id="reason" name="reason" maxlength="${REASON_LENGTH_MAX}" required>
<p><button type="submit">${t.review}</button></p></form></section>`;
  return sendPage(reply, viewer, consoleLayout(viewer, tenant.name, body, viewer));
}

/**
 * Step one (no `reference`): a confirmation page with the amount in words and the resulting balance. Step two
 * carries the reference minted at step one, so a double submit adjusts once (adjustWallet's reference).
 */
export async function adjust(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const viewer = await guardWrite(ctx, request, reply, 'wallet.adjust');
  if (!viewer) return reply;
  const tenantId = (request.params as { id: string }).id;
  const body = formBody(request);
  const wallet = await ctx.store.db.selectFrom('wallets').select(['currency', 'balance_minor']).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!wallet) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noRows, 'NOT_FOUND', viewer), 404);
  const typed = normalizeAmount(String(body.amount ?? '').slice(0, 40), viewer.lang);
  const reason = String(body.reason ?? '').trim().slice(0, REASON_LENGTH_MAX);
  let amountMinor: bigint;
  try {
    amountMinor = parseSignedAmount(typed, wallet.currency);
    if (reason === '') throw new PurseError('VALIDATION_ERROR');
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    return sendPage(reply, viewer, renderMessage(viewer, viewer.t.amountInvalid, err.code, viewer), err.status);
  }
  const reference = body.reference !== undefined && REFERENCE_PATTERN.test(body.reference) ? body.reference : undefined;
  if (!reference) return sendPage(reply, viewer, renderConfirm(viewer, tenantId, wallet, amountMinor, typed, reason, ulid(ctx.nowMs())));
  const who = auditActorOf(viewer, request);
  // The audit entry commits with the money or not at all; a replayed reference moves nothing and adds nothing.
  await adjustWallet(ctx, tenantId, {
    amount: typed, reason, reference: `console:${reference}`,
    alsoInCommit: async (db, after, transaction) => {
      await appendAudit(db, ctx.nowMs(), who, {
        action: 'wallet.adjust', target: tenantId, before: { balanceMinor: after ? after.balanceMinor - transaction.walletAmountMinor : null },
        after: { transactionId: transaction.id, amountMinor: transaction.walletAmountMinor, balanceMinor: after?.balanceMinor ?? null, reason },
      });
    },
  });
  return reply.redirect(`/admin/tenants/${tenantId}?notice=adjusted`, 303);
}

function renderConfirm(viewer: ConsoleViewer, tenantId: string, wallet: { currency: string; balance_minor: bigint }, amountMinor: bigint, typed: string, reason: string, reference: string): string {
  const t = viewer.t;
  const money = (minor: bigint) => formatMoney(minor, wallet.currency, viewer.lang);
  return consoleLayout(viewer, t.adjust, html`<section><p data-confirm>${t.confirmText(money(amountMinor), amountInWords(amountMinor, wallet.currency, viewer.lang), money(wallet.balance_minor + amountMinor))}</p>
<p>${t.reason}: ${reason}</p><form method="post" action="/admin/tenants/${tenantId}/adjust">${hiddenCsrf(viewer)}
<input type="hidden" name="amount" value="${typed}"><input type="hidden" name="reason" value="${reason}"><input type="hidden" name="reference" value="${reference}">
<div class="actions"><button class="primary" type="submit">${t.confirm}</button><a href="/admin/tenants/${tenantId}">${t.cancel}</a></div></form></section>`, viewer);
}
