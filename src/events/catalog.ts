/**
 * Every event type Purse sends (SPEC §8.3). A type without a trigger yet is still listed, so endpoints may
 * subscribe to it ahead of the feature that emits it (auto top-up, refunds, disputes, card removal).
 */
export const EVENT_TYPES = [
  'topup.succeeded',
  'topup.failed',
  'topup.expired',
  'wallet.low_balance',
  'wallet.depleted',
  'wallet.adjusted',
  'wallet.debited',
  'hold.expired',
  'auto_topup.succeeded',
  'auto_topup.failed',
  'auto_topup.action_required',
  'auto_topup.capped',
  'auto_topup.disabled',
  'payment_method.saved',
  'payment_method.removed',
  // Issue 24: the older copy of a card saved twice, detached at Stripe.
  'payment_method.duplicate_detached',
  'refund.clawed_back',
  'dispute.opened',
  'dispute.closed',
  // Issue 22: receipts and credit notes.
  'receipt.issued',
  'webhook_endpoint.disabled',
  'webhook_endpoint.test',
  // issue 21: credit blocks
  'credit.granted',
  'credit.expiring',
  'credit.expired',
  'credit.voided',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Sent only to endpoints that name them: one per debit would flood every other endpoint. */
export const OPT_IN_EVENT_TYPES: readonly EventType[] = ['wallet.debited'];

/** Never fanned out by subscription: a test goes to the one endpoint it was sent to. */
export const DIRECT_EVENT_TYPES: readonly EventType[] = ['webhook_endpoint.test'];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** Whether an endpoint subscribed to `events` (empty: every type but the opt-in ones) hears `type`. */
export function endpointHears(events: readonly string[], type: EventType): boolean {
  if (DIRECT_EVENT_TYPES.includes(type)) return false;
  if (events.length === 0) return !OPT_IN_EVENT_TYPES.includes(type);
  return events.includes(type);
}
