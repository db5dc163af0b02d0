import { type ErrorCode, fieldError } from '../errors/purse-error.ts';
import { type TopupBounds } from '../money/limits.ts';
import { formatMajor, parseMajor } from '../money/money.ts';

export interface AutoTopupBody {
  enabled?: unknown;
  threshold?: unknown;
  amount?: unknown;
  targetBalance?: unknown;
  monthlyCap?: unknown;
}

export interface AutoTopupSettings {
  enabled: boolean;
  thresholdMinor: bigint;
  amountMinor: bigint | null;
  targetBalanceMinor: bigint | null;
  monthlyCapMinor: bigint | null;
}

function positive(raw: unknown, field: string, currency: string, requiredCode: ErrorCode = 'VALIDATION_ERROR'): bigint {
  if (raw === undefined || raw === null) throw fieldError(requiredCode, field, 'is required');
  const parsed = parseMajor(raw, currency);
  if (parsed === 'too_precise') throw fieldError('AMOUNT_INVALID', field, `has more decimals than ${currency} allows`);
  if (parsed === 'invalid') throw fieldError('AMOUNT_INVALID', field, 'must be a plain decimal number such as "50" or "10.5"');
  if (parsed <= 0n) throw fieldError('AMOUNT_INVALID', field, 'must be greater than 0');
  return parsed;
}

function withinBounds(amountMinor: bigint, field: string, currency: string, bounds: TopupBounds): bigint {
  if (amountMinor < bounds.minMinor) throw fieldError('AMOUNT_BELOW_MINIMUM', field, `must be at least ${formatMajor(bounds.minMinor, currency)} ${currency}`);
  if (amountMinor > bounds.maxMinor) throw fieldError('AMOUNT_ABOVE_MAXIMUM', field, `must be at most ${formatMajor(bounds.maxMinor, currency)} ${currency}`);
  return amountMinor;
}

/**
 * `PUT /v1/billing/auto-topup`: exactly one of amount / targetBalance; every charge stays within the
 * tenant's top-up limits (a fixed amount within them; a target balance above the threshold, its charge
 * clamped to them); the monthly cap, when given, fits at least one charge. Each failure names its field.
 */
export function validateAutoTopup(body: AutoTopupBody, currency: string, bounds: TopupBounds): AutoTopupSettings {
  if (typeof body.enabled !== 'boolean') throw fieldError('VALIDATION_ERROR', 'enabled', 'must be true or false');
  const thresholdMinor = positive(body.threshold, 'threshold', currency);
  const hasAmount = body.amount !== undefined && body.amount !== null;
  const hasTarget = body.targetBalance !== undefined && body.targetBalance !== null;
  if (hasAmount && hasTarget) throw fieldError('VALIDATION_ERROR', 'targetBalance', 'give either amount or targetBalance, not both');
  if (!hasAmount && !hasTarget) throw fieldError('AMOUNT_REQUIRED', 'amount', 'give either amount or targetBalance');
  const amountMinor = hasAmount ? withinBounds(positive(body.amount, 'amount', currency), 'amount', currency, bounds) : null;
  const targetBalanceMinor = hasTarget ? positive(body.targetBalance, 'targetBalance', currency) : null;
  if (targetBalanceMinor !== null && targetBalanceMinor <= thresholdMinor) {
    throw fieldError('AMOUNT_INVALID', 'targetBalance', 'must be above threshold');
  }
  if (targetBalanceMinor !== null && targetBalanceMinor > bounds.maxMinor) {
    throw fieldError('AMOUNT_ABOVE_MAXIMUM', 'targetBalance', `must be at most ${formatMajor(bounds.maxMinor, currency)} ${currency}, the largest top-up`);
  }
  const smallestChargeMinor = amountMinor ?? bounds.minMinor;
  const monthlyCapMinor = body.monthlyCap === undefined || body.monthlyCap === null ? null : positive(body.monthlyCap, 'monthlyCap', currency);
  if (monthlyCapMinor !== null && monthlyCapMinor < smallestChargeMinor) {
    throw fieldError('AMOUNT_BELOW_MINIMUM', 'monthlyCap', `must be at least ${formatMajor(smallestChargeMinor, currency)} ${currency}, one charge`);
  }
  return { enabled: body.enabled, thresholdMinor, amountMinor, targetBalanceMinor, monthlyCapMinor };
}

/** What one attempt charges: the fixed amount, or target − available raised to the minimum charge, within the limits. */
export function chargeAmount(settings: { amountMinor: bigint | null; targetBalanceMinor: bigint | null }, availableMinor: bigint, bounds: TopupBounds): bigint {
  if (settings.amountMinor !== null) return settings.amountMinor;
  const wanted = (settings.targetBalanceMinor ?? 0n) - availableMinor;
  if (wanted < bounds.minMinor) return bounds.minMinor;
  return wanted > bounds.maxMinor ? bounds.maxMinor : wanted;
}
