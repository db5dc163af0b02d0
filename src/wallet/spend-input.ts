import { Type } from 'typebox';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import { walletDigits } from '../money/currencies.ts';
import { parseMajor, toMajorNumber } from '../money/money.ts';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import { isTenantNumber } from '../tenants/tenant-facts.ts';

/** What a usage debit and a hold have in common: an amount, a number, a description, metadata. */
export const DESCRIPTION_LENGTH_MAX = 500;
export const METADATA_KEYS_MAX = 20;
export const METADATA_KEY_LENGTH_MAX = 40;
export const METADATA_VALUE_LENGTH_MAX = 200;
// Far above any real charge, and far below where a balance stops being exact as a JSON number.
export const SPEND_AMOUNT_MINOR_MAX = 10n ** 13n;
const NUMBER_ID_PATTERN = '^num_[0-9A-Z]{26}$';
// PostgreSQL text cannot hold NUL, and a lone surrogate would be stored as U+FFFD (so a retry would no
// longer match): refusing both everywhere keeps the stores alike and the answer a 400, never a 500.
// (Patterns run in unicode mode, where a proper surrogate pair is one code point outside the range.)
const TEXT_PATTERN = '^[^\\u0000\\ud800-\\udfff]*$';

const AMOUNT_RULES = "Major units of the account currency, a string or a JSON number written plainly, > 0, " +
  "with at most the currency's minor digits (no exponents, signs or separators).";

/** Left untyped in the schema so that a wrong type answers AMOUNT_INVALID like any other bad amount. */
export function amountField(purpose = ''): ReturnType<typeof Type.Unknown> {
  return Type.Unknown({ description: `${purpose}${AMOUNT_RULES}`, examples: ['1.25', 3] });
}
export const DescriptionField = Type.String({ maxLength: DESCRIPTION_LENGTH_MAX, pattern: TEXT_PATTERN, description: 'Shown in the tenant history' });
const MetadataValue = Type.String({ maxLength: METADATA_VALUE_LENGTH_MAX, pattern: TEXT_PATTERN });
export const NumberIdField = Type.String({
  pattern: NUMBER_ID_PATTERN,
  description: 'The number to attribute this to. A number-scoped key may only name its own number (its default).',
});
export const MetadataField = Type.Record(Type.String(), MetadataValue, {
  maxProperties: METADATA_KEYS_MAX,
  propertyNames: { minLength: 1, maxLength: METADATA_KEY_LENGTH_MAX, pattern: TEXT_PATTERN },
  // Keys the catch-all pattern cannot match (line breaks) still get their value checked.
  additionalProperties: MetadataValue,
  description: `Up to ${METADATA_KEYS_MAX} string keys (≤ ${METADATA_KEY_LENGTH_MAX} chars) and string values (≤ ${METADATA_VALUE_LENGTH_MAX} chars)`,
});

/** The same rules as the checkout's amount: strict decimal, > 0, at most the currency's minor digits. */
export function parseSpendAmount(raw: unknown, currency: string): bigint {
  if (raw === undefined || raw === null) throw fieldError('AMOUNT_REQUIRED', 'amount', 'is required');
  const parsed = parseMajor(raw, currency, 'wallet');
  if (parsed === 'too_precise') throw fieldError('AMOUNT_INVALID', 'amount', `${currency} allows at most ${walletDigits(currency)} decimal places`);
  if (parsed === 'invalid') throw fieldError('AMOUNT_INVALID', 'amount', 'must be a plain decimal in major units, e.g. "1.25" or 3');
  if (parsed <= 0n) throw fieldError('AMOUNT_INVALID', 'amount', 'must be greater than 0');
  if (parsed > SPEND_AMOUNT_MINOR_MAX) {
    throw fieldError('AMOUNT_INVALID', 'amount', `must be at most ${toMajorNumber(SPEND_AMOUNT_MINOR_MAX, currency)} ${currency}`);
  }
  return parsed;
}

/**
 * Which number the money is attributed to. A number-scoped key always attributes to its own number and
 * is refused (403, no lookup, so nothing leaks) when it names another. A tenant key may name one of its
 * numbers; an unknown or foreign number answers 404 like any foreign id.
 */
export async function attributedNumber(ctx: Ctx, principal: Principal, requested: string | undefined): Promise<string | null> {
  if (principal.scope === 'number') {
    if (requested !== undefined && requested !== principal.numberId) {
      throw new PurseError('NUMBER_SCOPE_NOT_ALLOWED', { details: [{ field: 'numberId', message: 'a number-scoped key may only name its own number' }] });
    }
    return principal.numberId;
  }
  if (requested === undefined) return null;
  if (!(await isTenantNumber(ctx, principal.tenantId, requested))) {
    throw new PurseError('NOT_FOUND', { details: [{ field: 'numberId', message: 'no such number' }] });
  }
  return requested;
}

/** Empty metadata is stored as none, so `{}` and an absent field are the same request. */
export function normalizeMetadata(metadata: Record<string, string> | undefined): Record<string, string> | null {
  return metadata && Object.keys(metadata).length > 0 ? metadata : null;
}

/** Key order is not meaning: a retry that serialises its metadata differently is the same request. */
export function sameMetadata(a: Record<string, string> | null, b: Record<string, string> | null): boolean {
  if (a === null || b === null) return a === b;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
