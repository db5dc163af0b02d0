import { describe, expect, it } from 'vitest';
import { type OrderState, type Purpose, PURPOSES, isOrderState, isPurpose, isTerminal, judgeTransition, recordsAttempts } from './order-states.ts';

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
