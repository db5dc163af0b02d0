import type { Catalog } from '../i18n/en.ts';
import type { LedgerTransaction } from '../ledger/post-transaction.ts';

// Kinds whose description Purse writes itself; every other description is the tenant's or an operator's words, shown as written.
const SYSTEM_KINDS: readonly string[] = ['topup', 'auto_topup', 'refund_clawback', 'dispute_hold', 'dispute_release', 'dispute_loss'];

/** A transaction's description as the customer reads it: system descriptions in the page's language. */
export function describeTransaction(t: Catalog, tx: Pick<LedgerTransaction, 'kind' | 'description'>): string {
  const text = tx.description ?? '';
  return SYSTEM_KINDS.includes(tx.kind) ? (t.systemDescriptions[text] ?? text) : text;
}
