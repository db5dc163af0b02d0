import { stateMachine } from '../state-machine/state-machine.ts';

/** The dispute state machine, as data: open until Stripe closes it, won or lost, then never again. */
export const DISPUTE_STATES = ['open', 'won', 'lost'] as const;
export type DisputeState = (typeof DISPUTE_STATES)[number];

export const DISPUTE_MACHINE = stateMachine<DisputeState>('dispute', {
  open: ['won', 'lost'],
  won: [],
  lost: [],
});

export function isDisputeState(value: string): value is DisputeState {
  return DISPUTE_MACHINE.is(value);
}

/** Closing a dispute applies once; closing it again (the same outcome or the other) changes nothing. */
export function judgeDisputeClose(from: DisputeState, to: 'won' | 'lost'): 'apply' | 'refused' {
  return DISPUTE_MACHINE.judge(from, to) === 'apply' ? 'apply' : 'refused';
}
