/**
 * Currency facts the sandbox needs: Stripe minimums, fixed FX rates, flat tax rates. Minor-unit
 * exponents and steps come from the shared currency table (src/currency-table/), the one Purse module
 * the sandbox may import, so Purse and its sandbox count minor units alike.
 */
import { currencyRule, stepProblem } from '../currency-table/currencies.ts';

export { stepProblem };

/** Stripe's per-currency minimum charge, in minor units; others default to one minor unit. */
const minimumChargeMinor: Readonly<Record<string, number>> = {
  usd: 50, aud: 50, brl: 50, cad: 50, chf: 50, eur: 50, inr: 50, jpy: 50, nzd: 50, sgd: 50,
  gbp: 30, dkk: 250, hkd: 400, mxn: 1000, nok: 300, pln: 200, sek: 300, czk: 1500, huf: 17500,
};
export const amountMaxMinor = 99_999_999;

/** Units of each currency per 1 USD, in millionths, so conversion stays in integer arithmetic. */
const usdRateMicros: Readonly<Record<string, bigint>> = {
  usd: 1_000_000n, eur: 920_000n, gbp: 790_000n, brl: 5_400_000n, jpy: 150_000_000n, krw: 1_350_000_000n,
  cad: 1_360_000n, aud: 1_520_000n, mxn: 17_000_000n, chf: 880_000n, inr: 83_000_000n,
};
/** Currencies the hosted page offers when adaptive pricing is on. */
export const presentmentCurrencies = ['usd', 'eur', 'gbp', 'brl', 'jpy'] as const;

/** A flat, made-up VAT/sales-tax rate per billing country so tax amounts are predictable in tests. */
const taxRateBasisPointsByCountry: Readonly<Record<string, number>> = {
  US: 725, CA: 500, BR: 1000, MX: 1600, GB: 2000, DE: 1900, FR: 2000, ES: 2100, IT: 2200, NL: 2100,
  PT: 2300, IE: 2300, JP: 1000, AU: 1000,
};
const taxRateBasisPointsDefault = 1000;
const basisPointsPerUnit = 10_000;

export function isSupportedCurrency(currency: string): boolean {
  return currency === currency.toLowerCase() && currencyRule(currency) !== undefined;
}

export function currencyExponent(currency: string): number {
  return currencyRule(currency)?.exponent ?? 2;
}

export function minimumChargeFor(currency: string): number {
  return minimumChargeMinor[currency] ?? 1;
}

export function canConvert(from: string, to: string): boolean {
  return usdRateMicros[from] !== undefined && usdRateMicros[to] !== undefined;
}

function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Converts minor units between currencies with the fixed rates, honouring each currency's exponent. */
export function convertMinor(amountMinor: number, from: string, to: string): number {
  const fromRate = usdRateMicros[from];
  const toRate = usdRateMicros[to];
  if (fromRate === undefined || toRate === undefined) throw new Error(`no FX rate for ${from}->${to}`);
  const numerator = BigInt(amountMinor) * toRate * 10n ** BigInt(currencyExponent(to));
  const denominator = fromRate * 10n ** BigInt(currencyExponent(from));
  return Number(divideRoundHalfUp(numerator, denominator));
}

export function taxRateBasisPoints(country: string): number {
  return taxRateBasisPointsByCountry[country.toUpperCase()] ?? taxRateBasisPointsDefault;
}

export function computeTaxMinor(subtotalMinor: number, country: string): number {
  const rate = BigInt(taxRateBasisPoints(country));
  return Number(divideRoundHalfUp(BigInt(subtotalMinor) * rate, BigInt(basisPointsPerUnit)));
}

/** "R$ 12.34"-style display without Intl surprises: the amount with the right number of decimals. */
export function formatMinor(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction} ${currency.toUpperCase()}`;
}
