import type { AutoTopupAttemptRow, CheckoutOrderRow } from '../store/schema.ts';
import { isSettled } from './billing-view.ts';
import type { Catalog } from '../i18n/en.ts';
import { formatMoney } from '../i18n/locale.ts';

/**
 * The message at the top of the page after a return from Checkout or an action. It reports what the
 * database says, never what the URL claims: "credited" only once the order is paid.
 */
export interface Banner {
  tone: 'ok' | 'info' | 'error';
  title: string;
  text: string;
  /** What the page keeps asking /billing/status about until it settles: `order=cto_…` or `autoTopup=atu_…`. */
  poll?: string;
  /** Amount a "Try again" button re-submits. */
  retryAmountMinor?: bigint;
}

export interface ReturnQuery {
  topup?: string | undefined;
  card?: string | undefined;
  notice?: string | undefined;
  order?: string | undefined;
  autoTopup?: string | undefined;
}

export interface BannerFacts {
  t: Catalog;
  locale: string;
  currency: string;
  balanceMinor: bigint;
  order: CheckoutOrderRow | undefined;
  /** The auto top-up attempt a recovery Checkout returned for (`?autoTopup=atu_…`), if it is this tenant's. */
  attempt: AutoTopupAttemptRow | undefined;
  newestCard: string | undefined;
}

export function bannerFor(query: ReturnQuery, facts: BannerFacts): Banner | undefined {
  const { t, order } = facts;
  if (query.notice === 'default_set') return { tone: 'ok', title: t.noticeTitle, text: t.bannerDefaultSet };
  if (query.notice === 'card_removed') return { tone: 'ok', title: t.noticeTitle, text: t.bannerCardRemoved };
  if (query.notice === 'auto_topup_saved') return { tone: 'ok', title: t.noticeTitle, text: t.bannerAutoTopupSaved };
  if (query.notice === 'alert_saved') return { tone: 'ok', title: t.noticeTitle, text: t.bannerAlertSaved };
  if (query.card === 'cancelled') return { tone: 'info', title: t.bannerCardNotSavedTitle, text: t.bannerCardNotSaved };
  if (facts.attempt) return recoveryOutcome(query, facts, facts.attempt);
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
  const { t, locale, currency } = facts;
  if (!isSettled(order)) return { tone: 'info', title: t.bannerProcessingTitle, text: t.bannerProcessing, poll: `order=${order.id}` };
  if (order.state === 'paid') {
    const amount = formatMoney(order.amount_minor ?? 0n, currency, locale);
    return { tone: 'ok', title: t.bannerPaidTitle, text: t.bannerPaid(amount, formatMoney(facts.balanceMinor, currency, locale)) };
  }
  if (order.state === 'failed') return { tone: 'error', title: t.bannerFailedTitle, text: t.bannerFailed, ...retry(order) };
  return { tone: 'info', title: t.bannerExpiredTitle, text: t.bannerExpired, ...retry(order) };
}

function cardOutcome({ t, newestCard }: BannerFacts, order: CheckoutOrderRow): Banner {
  if (!isSettled(order)) return { tone: 'info', title: t.bannerCardSavingTitle, text: t.bannerCardSaving, poll: `order=${order.id}` };
  if (order.state === 'completed') return { tone: 'ok', title: t.bannerCardSavedTitle, text: t.bannerCardSaved(newestCard ?? '') };
  return { tone: 'info', title: t.bannerCardNotSavedTitle, text: t.bannerCardNotSaved };
}

function retry(order: CheckoutOrderRow): { retryAmountMinor?: bigint } {
  return order.amount_minor !== null ? { retryAmountMinor: order.amount_minor } : {};
}

/** States in which a recovery payment is still on its way (the webhook has not settled the attempt yet). */
export const CONFIRMING_ATTEMPT_STATES: readonly string[] = ['action_required', 'pending', 'processing'];

/**
 * Back from the recovery Checkout of a paused auto top-up: what the database says about that attempt.
 * While the payment is confirming, the page says there is nothing more to pay (and stops offering the link).
 */
function recoveryOutcome(query: ReturnQuery, facts: BannerFacts, attempt: AutoTopupAttemptRow): Banner | undefined {
  const { t, locale, currency } = facts;
  if (attempt.state === 'succeeded') {
    if (query.topup !== 'success') return undefined;
    const text = t.atuConfirmed(formatMoney(attempt.amount_minor, currency, locale), formatMoney(facts.balanceMinor, currency, locale));
    return { tone: 'ok', title: t.atuConfirmedTitle, text };
  }
  if (query.topup === 'cancelled') return { tone: 'info', title: t.atuNotConfirmedTitle, text: t.atuNotConfirmed };
  if (query.topup !== 'success') return undefined;
  if (CONFIRMING_ATTEMPT_STATES.includes(attempt.state)) return { tone: 'info', title: t.atuConfirmingTitle, text: t.atuConfirming, poll: `autoTopup=${attempt.id}` };
  return { tone: 'error', title: t.atuFailedTitle, text: t.atuFailed };
}
