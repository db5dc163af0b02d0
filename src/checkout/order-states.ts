/**
 * The order state machine, as data: one table per purpose, keyed by purpose. A repeat is a no-op; a
 * move not in the table is refused. Money received always wins: an order that expired or failed on our
 * side but whose payment is then proven by Stripe becomes paid (the customer was charged, so the wallet
 * must be credited); a paid order never moves again.
 */
export const PURPOSES = ['wallet_topup', 'add_card'] as const;
export type Purpose = (typeof PURPOSES)[number];
export type TopupState = 'open' | 'processing' | 'paid' | 'failed' | 'expired' | 'canceled';
export type AddCardState = 'open' | 'completed' | 'expired' | 'failed';
export type OrderState = TopupState | AddCardState;

interface Machine<S extends string> {
  transitions: Record<S, readonly S[]>;
  /** The state nothing moves out of. */
  terminal: S;
  /** States in which a failed payment attempt is only recorded: the customer may still retry on the page. */
  recordsAttempts: readonly S[];
}

const TOPUP: Machine<TopupState> = {
  transitions: {
    open: ['processing', 'paid', 'failed', 'expired', 'canceled'],
    processing: ['paid', 'failed'],
    failed: ['paid'],
    expired: ['paid'],
    canceled: ['paid'],
    paid: [],
  },
  terminal: 'paid',
  recordsAttempts: ['open'],
};

const ADD_CARD: Machine<AddCardState> = {
  transitions: {
    open: ['completed', 'expired', 'failed'],
    failed: ['completed'],
    expired: ['completed'],
    completed: [],
  },
  terminal: 'completed',
  recordsAttempts: ['open'],
};

const MACHINES: Record<Purpose, Machine<string>> = { wallet_topup: TOPUP, add_card: ADD_CARD };

export type TransitionVerdict = 'apply' | 'repeat' | 'refused';

export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}

/** A state this purpose's machine knows; anything else is a corrupt row and fails closed. */
export function isOrderState(purpose: Purpose, value: string): value is OrderState {
  return Object.hasOwn(MACHINES[purpose].transitions, value);
}

export function judgeTransition(purpose: Purpose, from: OrderState, to: OrderState): TransitionVerdict {
  if (from === to) return 'repeat';
  const allowed = MACHINES[purpose].transitions[from];
  if (!allowed) throw new Error(`Invariant violated: unknown ${purpose} state ${from}`);
  return allowed.includes(to) ? 'apply' : 'refused';
}

export function isTerminal(purpose: Purpose, state: OrderState): boolean {
  return MACHINES[purpose].terminal === state;
}

export function recordsAttempts(purpose: Purpose, state: OrderState): boolean {
  return MACHINES[purpose].recordsAttempts.includes(state);
}
