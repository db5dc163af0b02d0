import { currencyRule } from '../currency-table/currencies.ts';

/**
 * Purse's view of the shared currency table (src/currency-table/): Stripe's minor units, which is what
 * the ledger stores, so an amount goes to Stripe and comes back in webhooks without conversion.
 */
export function isCurrency(code: string): boolean {
  return code === code.toUpperCase() && currencyRule(code) !== undefined;
}

/** Number of decimals in the currency's minor unit. Throws for an unknown code: callers validate first. */
export function minorDigits(code: string): 0 | 2 | 3 {
  return ruleOf(code).exponent;
}

/** Every amount charged must be a multiple of this many minor units (ISK: 100, three-decimal currencies: 10). */
export function minorStep(code: string): bigint {
  return BigInt(ruleOf(code).stepMinor);
}

/**
 * The smallest step of a wallet's own amounts (debits, holds, captures, adjustments, thresholds): the
 * currency's own exponent, not Stripe's charge rule. A three-decimal currency moves in single fils
 * (0.001 KWD); only charges go in Stripe's steps of 10. ISK has no decimals at all (ISO 4217), so its
 * wallet amounts stay whole krónur (100 of Stripe's minor units).
 */
export function walletStep(code: string): bigint {
  const rule = ruleOf(code);
  return rule.exponent === 3 ? 1n : BigInt(rule.stepMinor);
}

/** Decimals a wallet amount may have (KWD 3, BRL 2, JPY 0, ISK 0): what error messages tell people. */
export function walletDigits(code: string): number {
  return minorDigits(code) - (walletStep(code).toString().length - 1);
}

function ruleOf(code: string) {
  const rule = isCurrency(code) ? currencyRule(code) : undefined;
  if (!rule) throw new Error(`Unknown currency ${code}`);
  return rule;
}
