import { type ErrorCode, fieldError } from '../errors/purse-error.ts';
import { type TopupBounds, chargePrecisionProblem } from '../money/limits.ts';
import { type AmountUse, formatMajor, parseMajor } from '../money/money.ts';

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

/** A positive amount; `use` says whether it is charged (Stripe's step) or only compared with the wallet. */
function positive(raw: unknown, field: string, currency: string, use: AmountUse, requiredCode: ErrorCode = 'VALIDATION_ERROR'): bigint {
  if (raw === undefined || raw === null) throw fieldError(requiredCode, field, 'is required');
  const parsed = parseMajor(raw, currency, use);
  if (parsed === 'too_precise') throw fieldError('AMOUNT_INVALID', field, use === 'charge' ? chargePrecisionProblem(raw, currency) : `has more decimals than ${currency} allows`);
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
  const thresholdMinor = positive(body.threshold, 'threshold', currency, 'wallet');
  const hasAmount = body.amount !== undefined && body.amount !== null;
  const hasTarget = body.targetBalance !== undefined && body.targetBalance !== null;
  if (hasAmount && hasTarget) throw fieldError('VALIDATION_ERROR', 'targetBalance', 'give either amount or targetBalance, not both');
  if (!hasAmount && !hasTarget) throw fieldError('AMOUNT_REQUIRED', 'amount', 'give either amount or targetBalance');
  const amountMinor = hasAmount ? withinBounds(positive(body.amount, 'amount', currency, 'charge'), 'amount', currency, bounds) : null;
  const targetBalanceMinor = hasTarget ? positive(body.targetBalance, 'targetBalance', currency, 'wallet') : null;
  if (targetBalanceMinor !== null && targetBalanceMinor <= thresholdMinor) {
    throw fieldError('AMOUNT_INVALID', 'targetBalance', 'must be above threshold');
  }
  if (targetBalanceMinor !== null && targetBalanceMinor > bounds.maxMinor) {
    throw fieldError('AMOUNT_ABOVE_MAXIMUM', 'targetBalance', `must be at most ${formatMajor(bounds.maxMinor, currency)} ${currency}, the largest top-up`);
  }
  const smallestChargeMinor = amountMinor ?? bounds.minMinor;
  const monthlyCapMinor = body.monthlyCap === undefined || body.monthlyCap === null ? null : positive(body.monthlyCap, 'monthlyCap', currency, 'charge');
  if (monthlyCapMinor !== null && monthlyCapMinor < smallestChargeMinor) {
    throw fieldError('AMOUNT_BELOW_MINIMUM', 'monthlyCap', `must be at least ${formatMajor(smallestChargeMinor, currency)} ${currency}, one charge`);
  }
  return { enabled: body.enabled, thresholdMinor, amountMinor, targetBalanceMinor, monthlyCapMinor };
}

/**
 * What one attempt charges: the fixed amount, or target − available rounded up to the currency's charge step
 * (a KWD wallet at 1.005 short of its target is charged 1.010: Stripe takes three-decimal currencies in tens)
 * and raised to the minimum charge, within the limits (which are on the step already).
 */
export function chargeAmount(settings: { amountMinor: bigint | null; targetBalanceMinor: bigint | null }, availableMinor: bigint, bounds: TopupBounds, stepMinor: bigint): bigint {
  if (settings.amountMinor !== null) return settings.amountMinor;
  const short = (settings.targetBalanceMinor ?? 0n) - availableMinor;
  const wanted = ((short + stepMinor - 1n) / stepMinor) * stepMinor;
  if (wanted < bounds.minMinor) return bounds.minMinor;
  return wanted > bounds.maxMinor ? bounds.maxMinor : wanted;
}

