import { fieldError } from '../errors/purse-error.ts';
import { chargePrecisionProblem, topupBounds } from '../money/limits.ts';
import { formatMajor, parseMajor } from '../money/money.ts';
import type { Config } from '../config/config.ts';
import { type Purpose, isPurpose } from './order-states.ts';

export interface CheckoutRequest {
  purpose: Purpose;
  amountMinor: bigint | null;
  successUrl: string | undefined;
  cancelUrl: string | undefined;
}

const URL_LENGTH_MAX = 2048;

/** The seed's validation rules, in the seed's order: purpose, then amount, then the redirect URLs. */
export function validateCheckout(body: unknown, currency: string, config: Config): CheckoutRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw fieldError('VALIDATION_ERROR', 'body', 'must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const purpose = input.purpose;
  if (typeof purpose !== 'string' || !isPurpose(purpose)) {
    throw fieldError('PURPOSE_INVALID', 'purpose', 'must be "wallet_topup" or "add_card"');
  }
  const amountMinor = purpose === 'wallet_topup' ? topupAmount(input.amount, currency, config) : noAmount(input.amount);
  return {
    purpose,
    amountMinor,
    successUrl: redirectUrl(input.successUrl, 'successUrl', config),
    cancelUrl: redirectUrl(input.cancelUrl, 'cancelUrl', config),
  };
}

function topupAmount(raw: unknown, currency: string, config: Config): bigint {
  if (raw === undefined || raw === null) throw fieldError('AMOUNT_REQUIRED', 'amount', 'is required for wallet_topup');
  const parsed = parseMajor(raw, currency);
  if (parsed === 'too_precise') throw fieldError('AMOUNT_INVALID', 'amount', chargePrecisionProblem(raw, currency));
  if (parsed === 'invalid') throw fieldError('AMOUNT_INVALID', 'amount', 'must be a plain decimal number such as "50" or "10.5"');
  if (parsed <= 0n) throw fieldError('AMOUNT_INVALID', 'amount', 'must be greater than 0');
  const bounds = topupBounds(currency, config.topupLimits);
  if (parsed < bounds.minMinor) {
    throw fieldError('AMOUNT_BELOW_MINIMUM', 'amount', `must be at least ${formatMajor(bounds.minMinor, currency)} ${currency}`);
  }
  if (parsed > bounds.maxMinor) {
    throw fieldError('AMOUNT_ABOVE_MAXIMUM', 'amount', `must be at most ${formatMajor(bounds.maxMinor, currency)} ${currency}`);
  }
  return parsed;
}

function noAmount(raw: unknown): null {
  if (raw !== undefined && raw !== null) throw fieldError('AMOUNT_NOT_ALLOWED', 'amount', 'is not accepted for add_card');
  return null;
}

/** Absolute http(s), and on the operator's allow-list: a checkout link must never be an open redirect. */
export function redirectUrl(raw: unknown, field: string, config: Config): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > URL_LENGTH_MAX) {
    throw fieldError('URL_INVALID', field, `must be an absolute http(s) URL of at most ${URL_LENGTH_MAX} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fieldError('URL_INVALID', field, 'must be an absolute http(s) URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw fieldError('URL_INVALID', field, 'must be an absolute http(s) URL without credentials');
  }
  if (!config.allowedRedirectOrigins.includes(url.origin)) {
    throw fieldError('URL_NOT_ALLOWED', field, 'origin is not on the allow-list (ALLOWED_REDIRECT_ORIGINS)');
  }
  return url.toString();
}

