import { describe, expect, it } from 'vitest';
import { type AddCardState, type Purpose, type TopupState, isTerminal, judgeTransition } from './order-states.ts';

const TOPUP_STATES: TopupState[] = ['open', 'processing', 'paid', 'failed', 'expired', 'canceled'];
const ADD_CARD_STATES: AddCardState[] = ['open', 'completed', 'expired', 'failed'];

// Written out in full, independently of the table under test: every pair not listed here is refused.
const TOPUP_ALLOWED = new Set([
  'open→processing', 'open→paid', 'open→failed', 'open→expired', 'open→canceled',
  'processing→paid', 'processing→failed',
  'failed→paid', 'expired→paid', 'canceled→paid',
]);
const ADD_CARD_ALLOWED = new Set(['open→completed', 'open→expired', 'open→failed', 'failed→completed', 'expired→completed']);

function everyPair<S extends string>(states: S[], allowed: Set<string>): Array<[S, S, string]> {
  return states.flatMap((from) => states.map((to): [S, S, string] => [from, to, from === to ? 'repeat' : allowed.has(`${from}→${to}`) ? 'apply' : 'refused']));
}

describe('judgeTransition', () => {
  it.each(everyPair(TOPUP_STATES, TOPUP_ALLOWED))('wallet_topup %s → %s: %s', (from, to, verdict) => {
    expect(judgeTransition('wallet_topup', from, to)).toBe(verdict);
  });

  it.each(everyPair(ADD_CARD_STATES, ADD_CARD_ALLOWED))('add_card %s → %s: %s', (from, to, verdict) => {
    expect(judgeTransition('add_card', from, to)).toBe(verdict);
  });

  it('money received always wins: every unpaid top-up state can still become paid, and paid never moves', () => {
    for (const from of TOPUP_STATES.filter((s) => s !== 'paid')) expect(judgeTransition('wallet_topup', from, 'paid')).toBe('apply');
    for (const to of TOPUP_STATES.filter((s) => s !== 'paid')) expect(judgeTransition('wallet_topup', 'paid', to)).toBe('refused');
  });

  it.each([
    ['add_card', 'processing'],
    ['add_card', 'paid'],
    ['wallet_topup', 'completed'],
  ] as Array<[Purpose, TopupState | AddCardState]>)('fails closed on a %s order in a state it cannot have (%s)', (purpose, from) => {
    expect(() => judgeTransition(purpose, from, 'expired')).toThrow(/Invariant violated/);
  });
});

describe('isTerminal', () => {
  it.each([
    ...TOPUP_STATES.map((s): [Purpose, TopupState | AddCardState, boolean] => ['wallet_topup', s, s === 'paid']),
    ...ADD_CARD_STATES.map((s): [Purpose, TopupState | AddCardState, boolean] => ['add_card', s, s === 'completed']),
  ])('%s %s is terminal: %s', (purpose, state, terminal) => {
    expect(isTerminal(purpose, state)).toBe(terminal);
  });
});
