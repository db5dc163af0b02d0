/** The dispute state machine, as data: open until Stripe closes it, won or lost, then never again. */
export const DISPUTE_STATES = ['open', 'won', 'lost'] as const;
export type DisputeState = (typeof DISPUTE_STATES)[number];

const TRANSITIONS: Record<DisputeState, readonly DisputeState[]> = {
  open: ['won', 'lost'],
  won: [],
  lost: [],
};

export function isDisputeState(value: string): value is DisputeState {
  return (DISPUTE_STATES as readonly string[]).includes(value);
}

export function judgeDisputeClose(from: DisputeState, to: 'won' | 'lost'): 'apply' | 'refused' {
  return TRANSITIONS[from].includes(to) ? 'apply' : 'refused';
}
