/**
 * The hold state machine, as data. A hold is `held` until exactly one of capture, void or expiry ends
 * it; nothing ends twice and nothing goes backwards. Asking for the state a hold is already in is a
 * repeat (a no-op answered with the hold); any other move out of a final state is refused.
 */
import { type Verdict, stateMachine } from '../state-machine/state-machine.ts';

export const HOLD_STATES = ['held', 'captured', 'voided', 'expired'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export const HOLD_MACHINE = stateMachine<HoldState>('hold', {
  held: ['captured', 'voided', 'expired'],
  captured: [],
  voided: [],
  expired: [],
});

export type HoldVerdict = Verdict;

export function judgeHoldTransition(from: HoldState, to: HoldState): HoldVerdict {
  return HOLD_MACHINE.judge(from, to);
}

export function isHoldState(value: string): value is HoldState {
  return HOLD_MACHINE.is(value);
}

/** A held hold past its expiry reserves nothing, whether or not the expiry job has released it yet. */
export function effectiveHoldState(state: HoldState, expiresAtMs: number, nowMs: number): HoldState {
  return state === 'held' && expiresAtMs <= nowMs ? 'expired' : state;
}
