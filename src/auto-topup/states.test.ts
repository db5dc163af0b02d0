import { describe, expect, it } from 'vitest';
import { attemptStatesBefore, judgeAttempt, judgeConfig, retryDelayAfter } from './states.ts';
import { chargeAmount } from './validate-config.ts';

const HOUR_MS = 60 * 60 * 1000;

describe('auto top-up state tables', () => {
  it.each([
    ['pending', 'processing', 'apply'],
    ['pending', 'capped', 'apply'],
    ['processing', 'succeeded', 'apply'],
    ['processing', 'action_required', 'apply'],
    ['action_required', 'succeeded', 'apply'],
    ['failed', 'succeeded', 'apply'],
    ['canceled', 'succeeded', 'apply'],
    ['succeeded', 'succeeded', 'repeat'],
    ['succeeded', 'failed', 'refused'],
    ['capped', 'processing', 'refused'],
    ['failed', 'processing', 'refused'],
    ['processing', 'pending', 'refused'],
  ] as const)('attempt %s → %s is %s', (from, to, verdict) => {
    expect(judgeAttempt(from, to)).toBe(verdict);
  });

  it('guards a move to succeeded by every state money may still arrive in, and never by succeeded or capped', () => {
    expect(attemptStatesBefore('succeeded').sort()).toEqual(['action_required', 'canceled', 'failed', 'pending', 'processing']);
  });

  it.each([
    ['off', 'active', 'apply'],
    ['paused', 'active', 'apply'],
    ['disabled', 'active', 'apply'],
    ['active', 'paused', 'apply'],
    ['off', 'paused', 'refused'],
    ['disabled', 'paused', 'refused'],
  ] as const)('config %s → %s is %s', (from, to, verdict) => {
    expect(judgeConfig(from, to)).toBe(verdict);
  });

  it('retries after 1 h, 6 h and 24 h, then gives up', () => {
    expect([1, 2, 3, 4].map(retryDelayAfter)).toEqual([HOUR_MS, 6 * HOUR_MS, 24 * HOUR_MS, null]);
  });
});

describe('chargeAmount', () => {
  const bounds = { minMinor: 500n, maxMinor: 500_000n };
  it.each([
    ['a fixed amount', { amountMinor: 2500n, targetBalanceMinor: null }, 100n, 2500n],
    ['target − available', { amountMinor: null, targetBalanceMinor: 10_000n }, 4_450n, 5_550n],
    ['raised to the minimum charge', { amountMinor: null, targetBalanceMinor: 10_000n }, 9_900n, 500n],
    ['kept under the maximum after a clawback', { amountMinor: null, targetBalanceMinor: 400_000n }, -200_000n, 500_000n],
  ])('charges %s', (_name, settings, availableMinor, expected) => {
    expect(chargeAmount(settings, availableMinor, bounds, 1n)).toBe(expected);
  });

  it.each([
    ['a shortfall of 1.005 KWD is charged 1.010 (Stripe takes tens of fils)', 6_000n, 4_995n, 1_010n],
    ['a shortfall already on the step is charged as it is', 6_000n, 4_990n, 1_010n],
    ['a shortfall of one fils is raised to the minimum charge', 6_000n, 5_999n, 500n],
  ])('three-decimal currency: %s', (_name, targetBalanceMinor, availableMinor, expected) => {
    expect(chargeAmount({ amountMinor: null, targetBalanceMinor }, availableMinor, bounds, 10n)).toBe(expected);
  });
});
