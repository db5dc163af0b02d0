/**
 * The order state machine, as data. A repeat is a no-op; a move not in the table is refused.
 * Money received always wins: an order that expired or failed on our side but whose payment is then
 * proven by Stripe becomes paid (the customer was charged, so the wallet must be credited); a paid order
 * never moves again.
 */
export type TopupState = 'open' | 'processing' | 'paid' | 'failed' | 'expired' | 'canceled';
export type AddCardState = 'open' | 'completed' | 'expired' | 'failed';
export type OrderState = TopupState | AddCardState;
export type Purpose = 'wallet_topup' | 'add_card';

const TOPUP_TRANSITIONS: Record<TopupState, readonly TopupState[]> = {
  open: ['processing', 'paid', 'failed', 'expired', 'canceled'],
  processing: ['paid', 'failed'],
  failed: ['paid'],
  expired: ['paid'],
  canceled: ['paid'],
  paid: [],
};

const ADD_CARD_TRANSITIONS: Record<AddCardState, readonly AddCardState[]> = {
  open: ['completed', 'expired', 'failed'],
  failed: ['completed'],
  expired: ['completed'],
  completed: [],
};

export type TransitionVerdict = 'apply' | 'repeat' | 'refused';

export function judgeTransition(purpose: Purpose, from: OrderState, to: OrderState): TransitionVerdict {
  if (from === to) return 'repeat';
  const table: Record<string, readonly string[]> = purpose === 'wallet_topup' ? TOPUP_TRANSITIONS : ADD_CARD_TRANSITIONS;
  const allowed = table[from];
  if (!allowed) throw new Error(`Invariant violated: unknown ${purpose} state ${from}`);
  return allowed.includes(to) ? 'apply' : 'refused';
}

export function isTerminal(purpose: Purpose, state: OrderState): boolean {
  return purpose === 'wallet_topup' ? state === 'paid' : state === 'completed';
}
