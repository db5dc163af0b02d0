import { formatMajor } from '../money/money.ts';
import { type Catalog, en } from './en.ts';
import { ptBR } from './pt-BR.ts';

/** The languages the billing page speaks; the seeds' two markets. English when the browser asks for neither. */
export type Lang = 'en' | 'pt-BR';
const CATALOGS: Record<Lang, Catalog> = { en, 'pt-BR': ptBR };
const ACCEPT_LANGUAGE_ENTRIES_MAX = 20;

/** Picks the best supported language from Accept-Language (`pt-BR,pt;q=0.9,en;q=0.8`). */
export function negotiateLang(header: string | undefined): Lang {
  if (!header) return 'en';
  const ranked = header.split(',').slice(0, ACCEPT_LANGUAGE_ENTRIES_MAX).map((part, index) => {
    const [tag = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q), index };
  }).filter((e) => e.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === 'pt' || tag.startsWith('pt-')) return 'pt-BR';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

export function catalogOf(lang: Lang): Catalog {
  return CATALOGS[lang];
}

/** Money for people: the exact decimal handed to Intl as a string, so no float ever rounds a cent. */
export function formatMoney(amountMinor: bigint, currency: string, lang: Lang): string {
  const format = moneyFormat(lang, currency);
  // Intl formats a decimal string exactly (ECMA-402 "Intl.NumberFormat v3"); the lib typing lags behind.
  const value = formatMajor(amountMinor, currency) as unknown as number;
  if (!AMBIGUOUS_SYMBOL_CURRENCIES.has(currency)) return format.format(value);
  return format.formatToParts(value).map((part) => (part.type === 'currency' && part.value === '$' ? `${currency.slice(0, 2)}$` : part.value)).join('');
}

/**
 * Currencies some locale writes as a bare "$" (English: USD), which a customer of a BRL, MXN or CAD business
 * could read as their own: shown with the country letters instead (US$), as pt-BR already does (SPEC §9.4).
 */
const AMBIGUOUS_SYMBOL_CURRENCIES = new Set(['USD']);

/** An amount as the customer would type it back into a form: no grouping, the language's decimal mark ("1234,5" in pt-BR). */
export function inputAmount(amountMinor: bigint, currency: string, lang: Lang): string {
  const plain = formatMajor(amountMinor, currency);
  return lang === 'pt-BR' ? plain.replace('.', ',') : plain;
}

export function formatDate(ms: number, lang: Lang): string {
  return DATE_FORMATS[lang].format(ms) + ' UTC';
}

// Building an Intl formatter costs tens of µs, formatting with one a few: the page formats some forty
// amounts and twenty dates, so formatters are made once per language (and currency) and kept.
const DATE_FORMATS: Record<Lang, Intl.DateTimeFormat> = {
  en: new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }),
  'pt-BR': new Intl.DateTimeFormat('pt-BR', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }),
};
// Bounded by the languages times the currencies Purse accepts (the currency table).
const MONEY_FORMATS = new Map<string, Intl.NumberFormat>();

function moneyFormat(lang: Lang, currency: string): Intl.NumberFormat {
  const key = `${lang}:${currency}`;
  let format = MONEY_FORMATS.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang, { style: 'currency', currency });
    MONEY_FORMATS.set(key, format);
  }
  return format;
}

/**
 * What the customer typed, as the plain decimal the checkout service expects: "1.234,56" (pt-BR) and
 * "1,234.56" (en) become "1234.56"; anything else is passed on for the service to judge.
 */
export function normalizeAmount(text: string, lang: Lang): string {
  const trimmed = text.replace(/\s/g, '');
  if (lang === 'pt-BR') {
    if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(trimmed) || /^\d+,\d+$/.test(trimmed)) return trimmed.replace(/\./g, '').replace(',', '.');
    return trimmed;
  }
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(trimmed)) return trimmed.replace(/,/g, '');
  return trimmed;
}
