import type { CheckoutOrderRow } from '../store/schema.ts';
import { isSettled } from './billing-view.ts';
import type { Catalog } from '../i18n/en.ts';
import { type Lang, formatMoney } from '../i18n/locale.ts';

/**
 * The message at the top of the page after a return from Checkout or an action. It reports what the
 * database says, never what the URL claims: "credited" only once the order is paid.
 */
export interface Banner {
  tone: 'ok' | 'info' | 'error';
  title: string;
  text: string;
  /** Order id the page keeps asking about until it settles. */
  pollOrderId?: string;
  /** Amount a "Try again" button re-submits. */
  retryAmountMinor?: bigint;
}

export interface ReturnQuery {
  topup?: string | undefined;
  card?: string | undefined;
  notice?: string | undefined;
  order?: string | undefined;
}

export interface BannerFacts {
  t: Catalog;
  lang: Lang;
  currency: string;
  balanceMinor: bigint;
  order: CheckoutOrderRow | undefined;
  newestCard: string | undefined;
}

export function bannerFor(query: ReturnQuery, facts: BannerFacts): Banner | undefined {
  const { t, order } = facts;
  if (query.notice === 'default_set') return { tone: 'ok', title: t.noticeTitle, text: t.bannerDefaultSet };
  if (query.notice === 'card_removed') return { tone: 'ok', title: t.noticeTitle, text: t.bannerCardRemoved };
  if (query.notice === 'auto_topup_saved') return { tone: 'ok', title: t.noticeTitle, text: t.bannerAutoTopupSaved };
  if (query.notice === 'alert_saved') return { tone: 'ok', title: t.noticeTitle, text: t.bannerAlertSaved };
  if (query.card === 'cancelled') return { tone: 'info', title: t.bannerCardNotSavedTitle, text: t.bannerCardNotSaved };
  if (!order) return undefined;
  if (query.topup === 'cancelled' && order.purpose === 'wallet_topup' && order.state !== 'paid') return cancelled(facts, order);
  if (query.topup === 'success' && order.purpose === 'wallet_topup') return topupOutcome(facts, order);
  if (query.card === 'saved' && order.purpose === 'add_card') return cardOutcome(facts, order);
  return undefined;
}

function cancelled({ t }: BannerFacts, order: CheckoutOrderRow): Banner {
  return { tone: 'info', title: t.bannerCancelledTitle, text: t.bannerCancelled, ...retry(order) };
}

function topupOutcome(facts: BannerFacts, order: CheckoutOrderRow): Banner {
  const { t, lang, currency } = facts;
  if (!isSettled(order)) return { tone: 'info', title: t.bannerProcessingTitle, text: t.bannerProcessing, pollOrderId: order.id };
  if (order.state === 'paid') {
    const amount = formatMoney(order.amount_minor ?? 0n, currency, lang);
    return { tone: 'ok', title: t.bannerPaidTitle, text: t.bannerPaid(amount, formatMoney(facts.balanceMinor, currency, lang)) };
  }
  if (order.state === 'failed') return { tone: 'error', title: t.bannerFailedTitle, text: t.bannerFailed, ...retry(order) };
  return { tone: 'info', title: t.bannerExpiredTitle, text: t.bannerExpired, ...retry(order) };
}

function cardOutcome({ t, newestCard }: BannerFacts, order: CheckoutOrderRow): Banner {
  if (!isSettled(order)) return { tone: 'info', title: t.bannerCardSavingTitle, text: t.bannerCardSaving, pollOrderId: order.id };
  if (order.state === 'completed') return { tone: 'ok', title: t.bannerCardSavedTitle, text: t.bannerCardSaved(newestCard ?? '') };
  return { tone: 'info', title: t.bannerCardNotSavedTitle, text: t.bannerCardNotSaved };
}

function retry(order: CheckoutOrderRow): { retryAmountMinor?: bigint } {
  return order.amount_minor !== null ? { retryAmountMinor: order.amount_minor } : {};
}
