import type { MoneyTrx } from '../events/money-moved.ts';

/**
 * What the payment provider says about the charge behind a credit (issue 22): the total with tax, the tax,
 * the presentment side of Adaptive Pricing and the billing address collected by Checkout. The credited
 * amount never comes from here (SPEC §3.3); these only complete the receipt.
 */
export interface ChargeFacts {
  totalMinor: bigint | null;
  taxMinor: bigint | null;
  presentment: { amountMinor: bigint; currency: string } | null;
  billingAddress: Record<string, string | null> | null;
}

/** Facts noted for credits about to be posted, per money transaction, by ledger reference. */
const NOTED = new WeakMap<MoneyTrx, Map<string, ChargeFacts>>();

/**
 * The charge behind the credit `reference` that `m` is about to post: the receipt the credit issues (the
 * receipt hook runs inside m.post) is written with them, in the same statement, so the crediting
 * transaction never goes back to update it.
 */
export function noteChargeFacts(m: MoneyTrx, reference: string, facts: ChargeFacts): void {
  let noted = NOTED.get(m);
  if (!noted) {
    noted = new Map();
    NOTED.set(m, noted);
  }
  noted.set(reference, facts);
}

/** The facts noted for `reference` in `m`, once. */
export function takeChargeFacts(m: MoneyTrx, reference: string): ChargeFacts | undefined {
  const noted = NOTED.get(m);
  const facts = noted?.get(reference);
  noted?.delete(reference);
  return facts;
}
