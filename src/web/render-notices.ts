import { html } from './html.ts';
import type { Catalog } from '../i18n/en.ts';
import type { Lang } from '../i18n/locale.ts';
import { layout } from './page-shell.ts';

/** The pages shown when there is no billing session: each says what happened and that nothing was charged. */
export type NoticeKind = 'link_invalid' | 'session_ended' | 'csrf' | 'landing_paid' | 'landing_card' | 'landing_cancelled' | 'not_found';

export function renderNotice(kind: NoticeKind, t: Catalog, lang: Lang, nonce: string, orderId?: string): string {
  const [title, text] = NOTICE_TEXT[kind](t);
  const ref = orderId ? html`<p>${t.reference}: <code>${orderId}</code></p>` : '';
  const body = html`<div class="banner ${kind === 'landing_paid' || kind === 'landing_card' ? 'ok' : 'info'}" data-notice="${kind}">
<h1>${title}</h1><p>${text}</p>${ref}${kind === 'csrf' ? html`<p><a href="/billing">${t.openBilling}</a></p>` : ''}</div>`;
  return layout({ lang, title: `${title} · ${t.title}`, nonce, body });
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
