import { formatMajor } from '../money/money.ts';
import { localeSeparators } from './amount-input.ts';
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

/**
 * The locale numbers, money and dates are written in: the browser's first choice that Intl knows (de-DE,
 * en-GB, fr-FR…), whatever the catalog language. English when it names none Intl knows.
 */
export function negotiateLocale(header: string | undefined): string {
  if (!header) return 'en';
  const tags = header.split(',').slice(0, ACCEPT_LANGUAGE_ENTRIES_MAX).map((part) => {
    const [tag = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) };
  }).filter((e) => e.q > 0 && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(e.tag)).sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
    if (supported) return supported;
  }
  return 'en';
}

/** Money for people: the exact decimal handed to Intl as a string, so no float ever rounds a cent. */
export function formatMoney(amountMinor: bigint, currency: string, locale: string): string {
  const format = moneyFormat(locale, currency);
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

/** An amount as the customer would type it back into a form: no grouping, the locale's decimal mark ("1234,5" in pt-BR and de-DE). */
export function inputAmount(amountMinor: bigint, currency: string, locale: string): string {
  const plain = formatMajor(amountMinor, currency);
  return plain.replace('.', localeSeparators(locale).decimal);
}

/** A moment for people: in UTC (said so), or in the browser's time zone with its short name ("GMT-3", "MEZ"). */
export function formatDate(ms: number, locale: string, timeZone = 'UTC'): string {
  if (timeZone === 'UTC') return cached(DATE_FORMATS, locale, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })).format(ms) + ' UTC';
  return cached(DATE_FORMATS, `${locale}|${timeZone}`, () => new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short',
  })).format(ms);
}

const TIME_ZONE_PATTERN = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** An IANA time zone Intl knows (from the browser), canonical; UTC for anything else. */
export function knownTimeZone(value: string | undefined): string {
  if (!value || !TIME_ZONE_PATTERN.test(value)) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

// Building an Intl formatter costs tens of µs, formatting with one a few: the page formats some forty
// amounts and twenty dates, so formatters are made once per locale (and currency) and kept. A header can
// name any locale Intl knows, so each cache is cleared when it reaches its bound.
const FORMAT_CACHE_ENTRIES_MAX = 500;
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();
const MONEY_FORMATS = new Map<string, Intl.NumberFormat>();

function cached<F>(cache: Map<string, F>, key: string, make: () => F): F {
  let found = cache.get(key);
  if (!found) {
    found = make();
    if (cache.size >= FORMAT_CACHE_ENTRIES_MAX) cache.clear();
    cache.set(key, found);
  }
  return found;
}

function moneyFormat(locale: string, currency: string): Intl.NumberFormat {
  return cached(MONEY_FORMATS, `${locale}:${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency }));
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
