import { html } from './html.ts';
import type { Catalog } from '../i18n/en.ts';
import { layout } from './page-shell.ts';

/**
 * The pages shown when there is no billing session: each says what happened, that nothing was charged,
 * and where to go from here (the service's return URL when the session had one), so none is a dead end.
 */
export type NoticeKind = 'link_invalid' | 'session_ended' | 'csrf' | 'landing_paid' | 'landing_card' | 'landing_cancelled' | 'not_found';

export interface NoticeOptions {
  orderId?: string | undefined;
  back?: { url: string; tenantName: string } | undefined;
}

export function renderNotice(kind: NoticeKind, t: Catalog, nonce: string, opts: NoticeOptions = {}): string {
  const [title, text] = NOTICE_TEXT[kind](t);
  const ref = opts.orderId ? html`<p>${t.reference}: <code>${opts.orderId}</code></p>` : '';
  const links = [
    kind === 'csrf' ? html`<a href="/billing">${t.openBilling}</a>` : '',
    opts.back ? html`<a href="${opts.back.url}" id="notice-back">${t.back(opts.back.tenantName)}</a>` : '',
  ].filter((l) => l !== '');
  const body = html`<div class="banner ${kind === 'landing_paid' || kind === 'landing_card' ? 'ok' : 'info'}" data-notice="${kind}">
<h1>${title}</h1><p>${text}</p>${ref}${links.length ? html`<p class="pager">${links}</p>` : ''}</div>`;
  return layout({ lang: t.lang, title: `${title} · ${t.title}`, nonce, body });
}

const NOTICE_TEXT: Record<NoticeKind, (t: Catalog) => [string, string]> = {
  link_invalid: (t) => [t.linkInvalidTitle, t.linkInvalidText],
  session_ended: (t) => [t.sessionEndedTitle, t.sessionEndedText],
  csrf: (t) => [t.csrfTitle, t.csrfText],
  landing_paid: (t) => [t.landingPaidTitle, t.landingPaid],
  landing_card: (t) => [t.landingCardTitle, t.landingCard],
  landing_cancelled: (t) => [t.bannerCancelledTitle, t.bannerCancelled],
  not_found: (t) => [t.notFoundTitle, t.errorGeneric],
};
