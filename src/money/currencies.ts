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

/** Every amount must be a multiple of this many minor units (ISK: 100, three-decimal currencies: 10). */
export function minorStep(code: string): bigint {
  return BigInt(ruleOf(code).stepMinor);
}

function ruleOf(code: string) {
  const rule = isCurrency(code) ? currencyRule(code) : undefined;
  if (!rule) throw new Error(`Unknown currency ${code}`);
  return rule;
}
