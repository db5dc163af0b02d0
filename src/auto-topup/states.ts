import { type Verdict, stateMachine } from '../state-machine/state-machine.ts';

/**
 * Auto top-up's two state machines, as data (SPEC §8.2). A repeat is a no-op; a move not in the table is
 * refused. Money received always wins: an attempt that failed, was canceled or waits for authentication
 * but whose payment Stripe then proves becomes succeeded and is credited; a succeeded attempt never moves.
 */
export const ATTEMPT_STATES = ['pending', 'processing', 'succeeded', 'failed', 'action_required', 'capped', 'canceled'] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];

/** The states the unique partial index auto_topup_attempts_one_in_flight covers: at most one per wallet. */
export const IN_FLIGHT_STATES: readonly AttemptState[] = ['pending', 'processing'];

export const ATTEMPT_MACHINE = stateMachine<AttemptState>('auto top-up attempt', {
  pending: ['processing', 'succeeded', 'capped', 'canceled'],
  processing: ['succeeded', 'failed', 'action_required', 'canceled'],
  action_required: ['succeeded', 'canceled'],
  failed: ['succeeded'],
  canceled: ['succeeded'],
  capped: [],
  succeeded: [],
});

export const CONFIG_STATES = ['off', 'active', 'paused', 'disabled'] as const;
export type ConfigState = (typeof CONFIG_STATES)[number];

/** `enabled: true` moves any state to active (enabling again resumes a paused or disabled one). */
export const CONFIG_MACHINE = stateMachine<ConfigState>('auto top-up', {
  off: ['active'],
  active: ['off', 'paused', 'disabled'],
  paused: ['off', 'active', 'disabled'],
  disabled: ['off', 'active'],
});

export const PAUSED_REASONS = ['authentication_required', 'no_payment_method'] as const;
export type PausedReason = (typeof PAUSED_REASONS)[number];

export type { Verdict };

export function judgeAttempt(from: AttemptState, to: AttemptState): Verdict {
  return ATTEMPT_MACHINE.judge(from, to);
}

export function judgeConfig(from: ConfigState, to: ConfigState): Verdict {
  return CONFIG_MACHINE.judge(from, to);
}

/** The states an attempt may be in for a move to `to` to apply: the guard of the UPDATE that makes the move. */
export function attemptStatesBefore(to: AttemptState): AttemptState[] {
  return ATTEMPT_MACHINE.sourcesOf(to);
}

export function configStatesBefore(to: ConfigState): ConfigState[] {
  return CONFIG_MACHINE.sourcesOf(to);
}

export function isAttemptState(value: string): value is AttemptState {
  return ATTEMPT_MACHINE.is(value);
}

export function isConfigState(value: string): value is ConfigState {
  return CONFIG_MACHINE.is(value);
}

/**
 * A decline is retried after 1 h, then 6 h, then 24 h; when the third retry declines too (the third
 * consecutive failed retry), auto top-up is disabled.
 */
export const RETRY_DELAYS_MS: readonly number[] = [60 * 60 * 1000, 6 * 60 * 60 * 1000, 24 * 60 * 60 * 1000];

/** The retry delay after the n-th consecutive decline (1-based), or null: disable auto top-up. */
export function retryDelayAfter(consecutiveFailures: number): number | null {
  return RETRY_DELAYS_MS[consecutiveFailures - 1] ?? null;
}
