import { fieldError } from '../errors/purse-error.ts';
import { walletDigits } from './currencies.ts';
import { parseMajor, toMajorNumber } from './money.ts';

/** The largest hand adjustment or grant, either way, in minor units: far above any real correction, far below where a balance stops being exact as a JSON number. */
export const ADJUSTMENT_AMOUNT_MINOR_MAX = 10n ** 13n;

/** Strict major-unit parsing with an optional leading minus; zero moves nothing and is refused. */
export function parseSignedAmount(raw: unknown, currency: string): bigint {
  if (raw === undefined || raw === null) throw fieldError('AMOUNT_REQUIRED', 'amount', 'is required');
  const negative = (typeof raw === 'string' && raw.startsWith('-')) || (typeof raw === 'number' && raw < 0);
  const magnitude = !negative ? raw : typeof raw === 'string' ? raw.slice(1) : -(raw as number);
  const parsed = parseMajor(magnitude, currency, 'wallet');
  if (parsed === 'too_precise') throw fieldError('AMOUNT_INVALID', 'amount', `${currency} allows at most ${walletDigits(currency)} decimal places`);
  if (parsed === 'invalid') throw fieldError('AMOUNT_INVALID', 'amount', 'must be a plain decimal in major units, e.g. "10.50" or -5');
  if (parsed === 0n) throw fieldError('AMOUNT_INVALID', 'amount', 'must not be zero');
  if (parsed > ADJUSTMENT_AMOUNT_MINOR_MAX) {
    throw fieldError('AMOUNT_INVALID', 'amount', `must be at most ${toMajorNumber(ADJUSTMENT_AMOUNT_MINOR_MAX, currency)} ${currency} either way`);
  }
  return negative ? -parsed : parsed;
}
