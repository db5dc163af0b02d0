import { minorDigits } from '../money/currencies.ts';

/**
 * What a customer typed into an amount field, read in their locale's number format and turned into the
 * plain decimal the services parse ("1.234,56" in pt-BR or de-DE and "1,234.56" in en-US both give
 * "1234.56"). A currency sign or code around the number is dropped ("$20", "R$ 20", "20 €"). A number
 * that reads two ways is refused rather than guessed: "1.000" typed on an English page could be one
 * (English decimal point) or a thousand (Brazilian grouping), so the customer is asked to say which.
 * Anything that is not a number at all is handed on unchanged for the service to refuse.
 */
export type AmountReading = { kind: 'decimal'; text: string } | { kind: 'ambiguous' };

// Spaces of any width and apostrophes group thousands in some locales (fr-FR "1 234,5", de-CH "1'234.5").
const GROUPING_NOISE = /[\s\u00a0\u202f'’]/g;
// Letters and currency signs at either end: "$", "R$", "US$", "BRL", "€".
const CURRENCY_AROUND = /^[\p{L}\p{Sc}]+|[\p{L}\p{Sc}]+$/gu;
const WELL_GROUPED = /^\d{1,3}(?:X\d{3})*$/;
const GROUP_DIGITS = 3;
// Bounded by the locales Intl knows; a header can name any of them, so the cache is cleared when full.
const SEPARATOR_CACHE_ENTRIES_MAX = 500;
const SEPARATORS = new Map<string, { decimal: string; group: string }>();

export function localeSeparators(locale: string): { decimal: string; group: string } {
  let found = SEPARATORS.get(locale);
  if (!found) {
    const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(12345.6);
    found = { decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.', group: parts.find((p) => p.type === 'group')?.value ?? ',' };
    if (SEPARATORS.size >= SEPARATOR_CACHE_ENTRIES_MAX) SEPARATORS.clear();
    SEPARATORS.set(locale, found);
  }
  return found;
}

export function readAmountInput(typed: string, locale: string, currency: string): AmountReading {
  const squeezed = typed.replace(GROUPING_NOISE, '');
  const bare = squeezed.replace(CURRENCY_AROUND, '');
  const text = bare === '' ? squeezed : bare;
  const sign = text.startsWith('-') ? '-' : '';
  const body = sign ? text.slice(1) : text;
  if (!/^[\d.,]+$/.test(body) || /^\d+$/.test(body)) return { kind: 'decimal', text };
  const read = readSeparated(body, locale, currency);
  if (read === 'ambiguous') return { kind: 'ambiguous' };
  return { kind: 'decimal', text: read === undefined ? text : sign + read };
}

/** Digits with dots and/or commas → plain decimal, 'ambiguous', or undefined (malformed: left for the service). */
function readSeparated(body: string, locale: string, currency: string): string | 'ambiguous' | undefined {
  const hasDot = body.includes('.');
  const hasComma = body.includes(',');
  if (hasDot && hasComma) {
    // Both marks: the last one is the decimal mark, the other groups thousands ("1.234,56", "1,234.56").
    const decimalMark = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
    const groupMark = decimalMark === '.' ? ',' : '.';
    const [whole = '', fraction, extra] = body.split(decimalMark);
    if (extra !== undefined || fraction === '' || !grouped(whole, groupMark)) return undefined;
    return `${whole.split(groupMark).join('')}.${fraction}`;
  }
  const mark = hasDot ? '.' : ',';
  const pieces = body.split(mark);
  if (pieces.length > 2) return grouped(body, mark) ? pieces.join('') : undefined;
  const [whole = '', fraction = ''] = pieces;
  if (whole === '' || fraction === '') return undefined;
  if (fraction.length !== GROUP_DIGITS || /^0+$/.test(whole)) return `${whole}.${fraction}`;
  // One mark, three digits after it: grouping or decimals? The locale settles it only for its own group
  // mark ("1.000" in pt-BR is a thousand); a currency with three decimals reads its decimal mark as such.
  // Read as decimals, digits past the currency's that are not zero ("5.001" in US$) cannot be cents: that
  // reading is refused as too precise by the service, which says so, rather than called ambiguous.
  const { decimal, group } = localeSeparators(locale);
  if (mark === group && whole.length <= GROUP_DIGITS) return `${whole}${fraction}`;
  if (mark === decimal && !/^0*$/.test(fraction.slice(minorDigits(currency)))) return `${whole}.${fraction}`;
  return 'ambiguous';
}

function grouped(whole: string, mark: string): boolean {
  return new RegExp(WELL_GROUPED.source.replace('X', mark === '.' ? '\\.' : ',')).test(whole);
}
