import { minorDigits, minorStep, walletStep } from './currencies.ts';

/** An amount in integer minor units of one currency. Never a float. */
export interface Money {
  amountMinor: bigint;
  currency: string;
}

export type ParseFailure = 'invalid' | 'too_precise';

/** What an amount is for: a charge goes to Stripe (its step rules); a wallet amount only moves money here. */
export type AmountUse = 'charge' | 'wallet';

// Digits, an optional fraction; no sign, exponent, spaces or thousands separators.
const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;
const INTEGER_DIGITS_MAX = 15;

/**
 * Strict decimal → minor units. Accepts a string or a JSON number written plainly ("10.5", 10.5);
 * rejects exponents, signs, NaN, Infinity, empty strings and separators, and answers 'too_precise'
 * for more decimals than the currency has or an amount off its step (see currency-table/): a charge's
 * step is Stripe's (`minorStep`), a wallet amount's the currency's own (`walletStep`).
 */
export function parseMajor(input: unknown, currency: string, use: AmountUse = 'charge'): bigint | ParseFailure {
  const text = majorText(input);
  if (text === undefined) return 'invalid';
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return 'invalid';
  const whole = match[1]!;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (whole.replace(/^0+/, '').length > INTEGER_DIGITS_MAX) return 'invalid';
  const digits = minorDigits(currency);
  if (fraction.length > digits) return 'too_precise';
  const amountMinor = BigInt(whole + fraction.padEnd(digits, '0'));
  // Finer than Stripe takes (ISK in whole krónur, three-decimal currencies to the ten), or a wallet allows.
  if (amountMinor % (use === 'charge' ? minorStep(currency) : walletStep(currency)) !== 0n) return 'too_precise';
  return amountMinor;
}

function majorText(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (typeof input !== 'number' || !Number.isFinite(input)) return undefined;
  // JS prints the shortest round-tripping form; anything in exponent form is outside sane amounts.
  const text = String(input);
  return /e/i.test(text) ? undefined : text;
}

/** Minor units → exact decimal string in major units ("1050" BRL → "10.5"; trailing zeros dropped). */
export function formatMajor(amountMinor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = amountMinor < 0n;
  const abs = negative ? -amountMinor : amountMinor;
  const text = abs.toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

// 2^53: every decimal with ≤15 significant digits round-trips through a double exactly.
const JSON_SAFE_MINOR_MAX = 10n ** 15n;

/**
 * Minor units → a JSON number in major units, as the wire contract shows (`"amount": 50`).
 * Exact for any amount below 10^15 minor units; larger ones are a bug upstream.
 */
export function toMajorNumber(amountMinor: bigint, currency: string): number {
  const abs = amountMinor < 0n ? -amountMinor : amountMinor;
  if (abs >= JSON_SAFE_MINOR_MAX) throw new Error(`Amount ${amountMinor} too large to write exactly as a JSON number`);
  return Number(formatMajor(amountMinor, currency));
}
