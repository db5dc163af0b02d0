/**
 * THE currency table, as Stripe counts charge amounts (Stripe's rules win where they differ from ISO 4217).
 *
 * A neutral leaf module: it imports nothing. Purse's money/ and the built-in Stripe sandbox both read
 * it, so the two can never disagree about a currency; this folder is the only Purse code the sandbox
 * may import (see src/sandbox/README.md).
 *
 * - exponent: decimals in the minor unit Stripe expects in `amount` / `unit_amount`;
 * - stepMinor: every amount must be a multiple of it (Stripe refuses others).
 *
 * Where Stripe differs from ISO (Stripe's "zero-decimal currencies" and "special cases"):
 * - MGA: ISO has two decimals, Stripe zero. UGX: zero at Stripe (ISO agrees).
 * - ISK: ISO has zero decimals; Stripe, for backwards compatibility, takes two-decimal amounts whose
 *   decimals are always 00 (5 ISK is 500). So exponent 2, step 100: whole krónur only.
 * - HUF, TWD: two-decimal for charges (Stripe's whole-unit rule is for payouts, which Purse never makes).
 * - BHD, JOD, KWD, OMR, TND: three decimals, and Stripe requires the last digit to be 0 (step 10).
 * - IQD, LYD: three decimals in ISO; not Stripe presentment currencies, kept as ISO says.
 */
export interface CurrencyRule {
  exponent: 0 | 2 | 3;
  stepMinor: number;
}

const CODES = (
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD ' +
  'CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD ' +
  'GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT ' +
  'LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR ' +
  'NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP ' +
  'STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF ' +
  'XPF YER ZAR ZMW ZWG'
).split(' ');

const TWO_DECIMAL: CurrencyRule = { exponent: 2, stepMinor: 1 };
const ZERO_DECIMAL: CurrencyRule = { exponent: 0, stepMinor: 1 };
const SPECIAL: Readonly<Record<string, CurrencyRule>> = {
  ...Object.fromEntries('BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' ').map((c) => [c, ZERO_DECIMAL])),
  ...Object.fromEntries('BHD JOD KWD OMR TND'.split(' ').map((c) => [c, { exponent: 3, stepMinor: 10 }])),
  IQD: { exponent: 3, stepMinor: 1 },
  LYD: { exponent: 3, stepMinor: 1 },
  ISK: { exponent: 2, stepMinor: 100 },
};
const KNOWN = new Set(CODES);

/** The rule for a currency code in either case (Purse writes "BRL", Stripe "brl"); undefined when unknown. */
export function currencyRule(code: string): CurrencyRule | undefined {
  const upper = code.toUpperCase();
  if (!KNOWN.has(upper)) return undefined;
  return SPECIAL[upper] ?? TWO_DECIMAL;
}

/** Why Stripe would refuse this amount in this currency (not a multiple of the step), or undefined. */
export function stepProblem(code: string, amountMinor: bigint | number): string | undefined {
  const rule = currencyRule(code);
  if (!rule || rule.stepMinor === 1) return undefined;
  if (BigInt(amountMinor) % BigInt(rule.stepMinor) === 0n) return undefined;
  return `Amounts in ${code.toUpperCase()} must be a multiple of ${rule.stepMinor} minor units.`;
}
