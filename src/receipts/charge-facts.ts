import type { Db } from '../store/db.ts';

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

/** Written onto the credit's receipt in the crediting transaction itself (the receipt hook ran in m.post). */
export async function attachChargeFacts(db: Db, transactionId: string, facts: ChargeFacts): Promise<void> {
  await db.updateTable('receipts').set({
    total_minor: facts.totalMinor, tax_minor: facts.taxMinor,
    presentment_amount_minor: facts.presentment?.amountMinor ?? null, presentment_currency: facts.presentment?.currency ?? null,
    billing_address: facts.billingAddress === null ? null : JSON.stringify(facts.billingAddress),
  }).where('transaction_id', '=', transactionId).execute();
}
