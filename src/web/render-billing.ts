import type { PaymentMethodView } from '../customers/payment-method-view.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import type { Banner } from './billing-banners.ts';
import type { BillingData } from './billing-view.ts';
import { type Html, html } from './html.ts';
import type { Catalog } from '../i18n/en.ts';
import { formatDate, formatMoney, inputAmount } from '../i18n/locale.ts';
import { layout } from './page-shell.ts';
import type { PageFilters } from './history-filter.ts';
import { type HistoryModel, historySection, holdsSection } from './render-history.ts';
import { insightSection } from './render-insight.ts';
import { type AlertAttempt, type AutoTopupAttempt, type SettingsModel, alertSection, autoTopupSection } from './render-settings.ts';

/** The billing page: wallet, top-up, cards, auto top-up, history. Plain forms; every one carries the CSRF token. */
export interface PageModel {
  t: Catalog;
  locale: string;
  /** The browser's time zone (its page script sets a cookie), UTC until known. */
  timeZone: string;
  nonce: string;
  csrf: string;
  session: PortalSession;
  data: BillingData;
  banner: Banner | undefined;
  /** A refused top-up: what to say and what the customer typed, shown again. */
  formError?: { message: string; amountText: string } | undefined;
  /** A refused card action or an outage. */
  actionError?: string | undefined;
  /** A refused settings save (auto top-up or the low-balance alert), shown in its form. */
  autoTopupAttempt?: AutoTopupAttempt | undefined;
  alertAttempt?: AlertAttempt | undefined;
  /** The card the customer asked to remove: its item asks "Remove …?" with the confirming form. */
  confirmRemove?: string | undefined;
  /** Issue 24: the history and holds filters from the query, with what was wrong with them. */
  filters: PageFilters;
  /** Back from a paused auto top-up's recovery Checkout with the payment still confirming: no second "Confirm the payment". */
  recoveryConfirming?: boolean | undefined;
}

export function renderBillingPage(m: PageModel): string {
  const { t } = m;
  const settings = settingsModel(m);
  const header = html`<header><h1>${t.sessionFor(m.session.tenantName)}</h1>${m.session.returnUrl ? html`<a href="${m.session.returnUrl}">${t.back(m.session.tenantName)}</a>` : ''}</header>`;
  const body = html`${m.banner ? bannerHtml(m, m.banner) : ''}
${m.actionError ? html`<div class="banner error" role="alert"><h2>${t.errorTitle}</h2><p>${m.actionError}</p></div>` : ''}
${walletSection(m)}
${creditsSection(m)}
${topupSection(m)}
${cardsSection(m)}
${autoTopupSection(settings)}
${alertSection(settings)}
${insightSection({ t, locale: m.locale, currency: m.data.currency, insight: m.data.insight })}
${documentsSection(m)}
${historySection(historyModel(m))}`;
  return layout({ lang: t.lang, title: `${t.title} · ${m.session.tenantName}`, nonce: m.nonce, header, body, script: m.banner?.poll !== undefined });
}

function settingsModel(m: PageModel): SettingsModel {
  const { data } = m;
  return {
    t: m.t, locale: m.locale, currency: data.currency, csrf: csrfField(m), hasCard: data.cards.length > 0, bounds: data.bounds,
    recoveryConfirming: m.recoveryConfirming ?? false, autoTopup: data.autoTopup, lowBalanceMinor: data.lowBalanceMinor, autoTopupAttempt: m.autoTopupAttempt, alertAttempt: m.alertAttempt,
  };
}

function historyModel(m: PageModel): HistoryModel {
  return { t: m.t, locale: m.locale, timeZone: m.timeZone, data: m.data, filters: m.filters };
}

function csrfField(m: PageModel): Html {
  return html`<input type="hidden" name="csrf" value="${m.csrf}">`;
}

function money(m: PageModel, minor: bigint): string {
  return formatMoney(minor, m.data.currency, m.locale);
}

function bannerHtml(m: PageModel, b: Banner): Html {
  const role = b.tone === 'error' ? 'alert' : 'status';
  const retry = b.retryAmountMinor !== undefined
    ? html`<form method="post" action="/billing/topup">${csrfField(m)}<input type="hidden" name="amount" value="${inputAmount(b.retryAmountMinor, m.data.currency, m.locale)}"><button type="submit" class="primary">${m.t.tryAgain}</button></form>`
    : '';
  const still = b.poll ? html`<p id="still" hidden>${m.t.bannerStillProcessing} <a href="">${m.t.reload}</a></p><noscript><p><a href="">${m.t.reload}</a></p></noscript>` : '';
  return html`<div class="banner ${b.tone}" role="${role}" data-banner="${b.tone}"${b.poll ? html` data-poll="${b.poll}"` : ''}>
<h2>${b.title}</h2><p>${b.text}</p>${still}${retry}</div>`;
}

function walletSection(m: PageModel): Html {
  const { t, data } = m;
  return html`<section aria-labelledby="wallet-h"><h2 id="wallet-h">${t.walletHeading}</h2>
<dl class="figures">
<div><dt>${t.available}</dt><dd id="available">${money(m, data.balanceMinor - data.heldMinor)}</dd></div>
<div><dt>${t.balance}</dt><dd id="balance">${money(m, data.balanceMinor)}</dd></div>
<div><dt>${t.held}</dt><dd id="held">${money(m, data.heldMinor)}</dd></div>
</dl>${data.heldMinor > 0n ? html`<p class="hint">${t.heldHint}</p>` : ''}${holdsSection(historyModel(m))}${pendingList(m)}</section>`;
}

/** Issue 24: a delayed payment stays in view after the page stops asking about it, until the bank settles it. */
function pendingList(m: PageModel): Html | string {
  const { t, data } = m;
  if (data.pendingTopups.length === 0) return '';
  const items = data.pendingTopups.map((p) => html`<li data-pending="${p.id}">${t.pendingLine(money(m, p.amountMinor), formatDate(p.createdAtMs, m.locale, m.timeZone))}</li>`);
  return html`<h3 id="pending-h">${t.pendingHeading}</h3><ul aria-labelledby="pending-h">${items}</ul><p class="hint">${t.pendingHint}</p>`;
}

/** issue 21: what the wallet's credit is made of, and what expires when. Shown once there is promotional or expiring credit. */
function creditsSection(m: PageModel): Html | string {
  const { t, data } = m;
  if (data.credits.every((c) => c.category !== 'promotional' && c.expiresAtMs === null)) return '';
  const rows = data.credits.map((c) => html`<tr data-credit="${c.id}"><td data-label="${t.colCategory}">${t.categories[c.category] ?? c.category}</td>
<td class="num" data-label="${t.colRemaining}">${money(m, c.remainingMinor)}</td><td data-label="${t.colExpires}">${c.expiresAtMs === null ? t.neverExpires : formatDate(c.expiresAtMs, m.locale, m.timeZone)}</td></tr>`);
  return html`<section aria-labelledby="credits-h"><h2 id="credits-h">${t.creditsHeading}</h2>
<table><thead><tr><th scope="col">${t.colCategory}</th><th scope="col" class="num">${t.colRemaining}</th><th scope="col">${t.colExpires}</th></tr></thead><tbody>${rows}</tbody></table>
<p class="hint">${t.creditsHint}</p></section>`;
}

function topupSection(m: PageModel): Html {
  const { t, data } = m;
  const err = m.formError;
  const presets = data.presetsMinor.map((minor) =>
    html`<button type="submit" name="preset" value="${minor.toString()}">${money(m, minor)}<span class="sr"> — ${t.presetLabel(money(m, minor))}</span></button>`);
  return html`<section aria-labelledby="topup-h" id="topup"><h2 id="topup-h">${t.topupHeading}</h2>
<form method="post" action="/billing/topup" novalidate>${csrfField(m)}
${presets.length ? html`<fieldset><legend>${t.presetsLegend}</legend><div class="presets">${presets}</div></fieldset>` : ''}
<label for="amount">${t.amount}</label>
<p class="hint" id="amount-hint">${t.amountHint(money(m, data.bounds.minMinor), money(m, data.bounds.maxMinor))}</p>
${err ? html`<p class="field-error" id="amount-error">${err.message}</p>` : ''}
<div class="row"><input type="text" id="amount" name="amount" inputmode="decimal" autocomplete="off" value="${err?.amountText ?? ''}"
 aria-describedby="${err ? 'amount-error ' : ''}amount-hint"${err ? html` aria-invalid="true" autofocus` : ''}>
<button type="submit" class="primary">${t.topUp}</button></div>
</form></section>`;
}

function cardsSection(m: PageModel): Html {
  const { t, data } = m;
  const items = data.cards.map((card) => cardItem(m, card));
  return html`<section aria-labelledby="cards-h" id="cards"><h2 id="cards-h">${t.cardsHeading}</h2>
${items.length ? html`<ul class="cards">${items}</ul>` : html`<p>${t.noCards}</p>`}
<form method="post" action="/billing/cards">${csrfField(m)}<button type="submit">${t.addCard}</button></form>
<p class="hint">${t.addCardHint}</p></section>`;
}

export function cardName(t: Catalog, card: PaymentMethodView): string {
  const brand = card.brand.charAt(0).toUpperCase() + card.brand.slice(1);
  return t.cardLine(brand, card.last4);
}

function cardItem(m: PageModel, card: PaymentMethodView): Html {
  const { t } = m;
  const name = cardName(t, card);
  const expiry = t.expires(String(card.expMonth).padStart(2, '0'), String(card.expYear));
  const id = encodeURIComponent(card.id);
  const makeDefault = card.isDefault
    ? html`<span class="badge">${t.isDefault}</span>`
    : html`<form method="post" action="/billing/cards/${id}/default">${csrfField(m)}<button type="submit">${t.makeDefault}<span class="sr"> — ${name}</span></button></form>`;
  // Removing asks first: the Remove button opens the question on the page (a GET), the answer posts.
  const remove = m.confirmRemove === card.id
    ? html`<div class="confirm" id="confirm-remove"><p>${t.removeConfirm(name)}</p>
<form method="post" action="/billing/cards/${id}/remove">${csrfField(m)}<button type="submit" class="danger">${t.removeConfirmYes}<span class="sr"> — ${name}</span></button></form>
<a class="button" href="/billing#cards">${t.removeConfirmNo}<span class="sr"> — ${name}</span></a></div>`
    : html`<form method="get" action="/billing#card-${card.id}"><input type="hidden" name="remove" value="${card.id}"><button type="submit">${t.remove}<span class="sr"> — ${name}</span></button></form>`;
  return html`<li data-card="${card.last4}" id="card-${card.id}"><span><strong>${name}</strong><br><span class="hint">${expiry}</span></span>
<span class="actions">${makeDefault}${m.confirmRemove === card.id ? '' : remove}</span>${m.confirmRemove === card.id ? remove : ''}</li>`;
}

/** Issue 22: receipts to download, statements by month, the history export. */
function documentsSection(m: PageModel): Html {
  const { t, data } = m;
  const receipts = data.receipts.map((r) => html`<li data-receipt="${r.number}"><span><strong>${t.receiptKind(r.kind)} ${r.number}</strong><br>
<span class="hint">${formatDate(Number(r.issued_at_ms), m.locale, m.timeZone)} · ${money(m, r.kind === 'credit_note' ? -r.credited_minor : r.credited_minor)}</span></span>
<a href="/billing/receipts/${r.id}.pdf" download>${t.download}<span class="sr"> — ${r.number}</span></a></li>`);
  const months = data.statementMonths.map((month) => html`<li><a href="/billing/statements/${month}.pdf" download>${t.statementPdf(month)}</a> · <a href="/billing/statements/${month}.csv" download>${t.statementCsv(month)}</a></li>`);
  return html`<section aria-labelledby="documents-h"><h2 id="documents-h">${t.documentsHeading}</h2>
<h3>${t.receiptsHeading}</h3>${receipts.length ? html`<ul class="cards">${receipts}</ul>` : html`<p>${t.noReceipts}</p>`}
<h3>${t.statementsHeading}</h3><ul>${months}</ul>
<p><a href="/billing/transactions.csv" download>${t.exportCsv}</a></p></section>`;
}
