import { minorDigits, minorStep } from './currencies.ts';
import { formatMajor, parseMajor } from './money.ts';

/**
 * Top-up bounds per currency, in minor units. USD follows the seed (5–5000); every other currency
 * defaults to Stripe's minimum charge as the floor and Stripe's maximum amount as the ceiling.
 * Operators override any of them with TOPUP_LIMITS.
 */
export interface TopupBounds {
  minMinor: bigint;
  maxMinor: bigint;
}

const SEED_BOUNDS: Record<string, TopupBounds> = { USD: { minMinor: 500n, maxMinor: 500_000n } };

// Stripe's published minimum charge amounts, in minor units, for the currencies that differ from 0.50.
const STRIPE_MINIMUM_MINOR: Record<string, bigint> = {
  GBP: 30n, DKK: 250n, NOK: 300n, SEK: 300n, HKD: 400n, MXN: 1000n, THB: 1000n, CZK: 1500n,
  HUF: 17500n, PLN: 200n, RON: 200n, AED: 200n, MYR: 200n, BGN: 100n, JPY: 50n,
};
const STRIPE_AMOUNT_MAX_MINOR = 99_999_999n;

export function defaultBounds(currency: string): TopupBounds {
  const seeded = SEED_BOUNDS[currency];
  if (seeded) return seeded;
  const digits = minorDigits(currency);
  const fallbackMin = digits === 0 ? 50n : 5n * 10n ** BigInt(digits - 1);
  const step = minorStep(currency);
  const minMinor = STRIPE_MINIMUM_MINOR[currency] ?? fallbackMin;
  // Both bounds on the currency's step, so the bounds themselves are amounts Stripe accepts.
  return { minMinor: ((minMinor + step - 1n) / step) * step, maxMinor: (STRIPE_AMOUNT_MAX_MINOR / step) * step };
}

/** Turns configured major-unit text into bounds; undefined when the text does not fit the currency. */
export function boundsFromMajor(currency: string, min: string, max: string): TopupBounds | undefined {
  const minMinor = parseMajor(min, currency);
  const maxMinor = parseMajor(max, currency);
  if (typeof minMinor !== 'bigint' || typeof maxMinor !== 'bigint' || minMinor <= 0n || minMinor > maxMinor) return undefined;
  return { minMinor, maxMinor };
}

export function topupBounds(currency: string, configured: Record<string, { min: string; max: string }>): TopupBounds {
  const override = configured[currency];
  return (override && boundsFromMajor(currency, override.min, override.max)) ?? defaultBounds(currency);
}

/** Why a charged amount was 'too_precise': more decimals than the currency has, or finer than Stripe's step. */
export function chargePrecisionProblem(raw: unknown, currency: string): string {
  if (typeof parseMajor(raw, currency, 'wallet') !== 'bigint') return `has more decimals than ${currency} allows`;
  return `is charged at Stripe, which takes ${currency} in steps of ${formatMajor(minorStep(currency), currency)}`;
}
