import { describe, expect, it } from 'vitest';
import { type AddCardState, type OrderState, type Purpose, PURPOSES, type TopupState, isOrderState, isPurpose, isTerminal, judgeTransition, recordsAttempts } from './order-states.ts';

describe('order state machine (table per purpose)', () => {
  it.each<[Purpose, OrderState, OrderState, 'apply' | 'repeat' | 'refused']>([
    ['wallet_topup', 'open', 'paid', 'apply'],
    ['wallet_topup', 'open', 'processing', 'apply'],
    ['wallet_topup', 'processing', 'failed', 'apply'],
    ['wallet_topup', 'expired', 'paid', 'apply'],
    ['wallet_topup', 'failed', 'paid', 'apply'],
    ['wallet_topup', 'paid', 'expired', 'refused'],
    ['wallet_topup', 'paid', 'failed', 'refused'],
    ['wallet_topup', 'processing', 'expired', 'refused'],
    ['wallet_topup', 'paid', 'paid', 'repeat'],
    ['wallet_topup', 'open', 'completed', 'refused'],
    ['add_card', 'open', 'completed', 'apply'],
    ['add_card', 'expired', 'completed', 'apply'],
    ['add_card', 'completed', 'failed', 'refused'],
    ['add_card', 'open', 'paid', 'refused'],
    ['add_card', 'open', 'processing', 'refused'],
    ['add_card', 'completed', 'completed', 'repeat'],
  ])('%s: %s → %s is %s', (purpose, from, to, verdict) => {
    expect(judgeTransition(purpose, from, to)).toBe(verdict);
  });

  it('has exactly one terminal state per purpose, which moves nowhere', () => {
    expect(PURPOSES.map((p) => [p, (['paid', 'completed'] as const).filter((s) => isTerminal(p, s))])).toEqual([
      ['wallet_topup', ['paid']],
      ['add_card', ['completed']],
    ]);
  });

  it('records failed attempts only while the page is open', () => {
    expect(recordsAttempts('wallet_topup', 'open')).toBe(true);
    expect(recordsAttempts('wallet_topup', 'processing')).toBe(false);
    expect(recordsAttempts('add_card', 'completed')).toBe(false);
  });

  it.each([
    ['a purpose it does not know', () => isPurpose('wallet_topup ')],
    ['a state of the other purpose', () => isOrderState('add_card', 'paid')],
    ['a state no purpose has', () => isOrderState('wallet_topup', 'refunded')],
    ['an inherited property name', () => isOrderState('wallet_topup', 'constructor')],
  ])('fails closed on %s', (_name, guard) => {
    expect(guard()).toBe(false);
  });
});

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

describe('judgeTransition, every pair of states', () => {
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

});

describe('isTerminal (every state)', () => {
  it.each([
    ...TOPUP_STATES.map((s): [Purpose, TopupState | AddCardState, boolean] => ['wallet_topup', s, s === 'paid']),
    ...ADD_CARD_STATES.map((s): [Purpose, TopupState | AddCardState, boolean] => ['add_card', s, s === 'completed']),
  ])('%s %s is terminal: %s', (purpose, state, terminal) => {
    expect(isTerminal(purpose, state)).toBe(terminal);
  });
});
