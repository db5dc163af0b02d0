import type { FastifyRequest } from 'fastify';
import { formatMajor } from '../money/money.ts';
import type { Lang } from '../i18n/locale.ts';

const QUERY_VALUE_LENGTH_MAX = 200;

export function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && value.length <= QUERY_VALUE_LENGTH_MAX && value !== '') out[key] = value;
  }
  return out;
}

/** "10.50 Brazilian reais": the amount spelled with the currency's name, so a confirmation cannot be misread. */
export function amountInWords(amountMinor: bigint, currency: string, lang: Lang): string {
  const format = new Intl.NumberFormat(lang, { style: 'currency', currency, currencyDisplay: 'name', signDisplay: 'always' });
  return format.format(formatMajor(amountMinor, currency) as unknown as number);
}
