import { type StateMachine, type Verdict, stateMachine } from '../state-machine/state-machine.ts';

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
  table: StateMachine<S>;
  /** States in which a failed payment attempt is only recorded: the customer may still retry on the page. */
  recordsAttempts: readonly S[];
}

const TOPUP: Machine<TopupState> = {
  table: stateMachine<TopupState>('top-up order', {
    open: ['processing', 'paid', 'failed', 'expired', 'canceled'],
    processing: ['paid', 'failed'],
    failed: ['paid'],
    expired: ['paid'],
    canceled: ['paid'],
    paid: [],
  }),
  recordsAttempts: ['open'],
};

const ADD_CARD: Machine<AddCardState> = {
  table: stateMachine<AddCardState>('add-card order', {
    open: ['completed', 'expired', 'failed'],
    failed: ['completed'],
    expired: ['completed'],
    completed: [],
  }),
  recordsAttempts: ['open'],
};

const MACHINES: Record<Purpose, Machine<string>> = { wallet_topup: TOPUP, add_card: ADD_CARD };

export type TransitionVerdict = Verdict;

export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}

/** A state this purpose's machine knows; anything else is a corrupt row and fails closed. */
export function isOrderState(purpose: Purpose, value: string): value is OrderState {
  return MACHINES[purpose].table.is(value);
}

export function judgeTransition(purpose: Purpose, from: OrderState, to: OrderState): TransitionVerdict {
  return MACHINES[purpose].table.judge(from, to);
}

export function isTerminal(purpose: Purpose, state: OrderState): boolean {
  return MACHINES[purpose].table.isFinal(state);
}

export function recordsAttempts(purpose: Purpose, state: OrderState): boolean {
  return MACHINES[purpose].recordsAttempts.includes(state);
}
