/** What a caller asks the ledger to post: the kinds of transaction and their postings (types only, no behaviour). */
export const TRANSACTION_KINDS = [
  'topup', 'usage', 'hold_capture', 'adjustment', 'refund_clawback', 'dispute_hold', 'dispute_release', 'dispute_loss', 'auto_topup',
  // issue 21: credit blocks
  'credit_grant', 'credit_expiry', 'credit_void',
] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

export interface PostingInput {
  accountId: string;
  /** Positive increases the account, negative decreases it. Never zero. */
  amountMinor: bigint;
}

export interface TransactionInput {
  /** Globally unique across every kind: namespace it (`usage:{tenantId}:{key}`) when it comes from a caller. */
  reference: string;
  kind: TransactionKind;
  tenantId: string | null;
  numberId?: string | null;
  currency: string;
  description?: string | null;
  metadata?: Record<string, string> | null;
  postings: PostingInput[];
  /** forbid: the wallet's available balance (balance − held) must stay ≥ 0, else INSUFFICIENT_FUNDS. */
  overdraft: 'forbid' | 'allow';
  /** Change to wallets.held_minor in the same statement (a capture releases its hold); held stays ≥ 0. */
  heldDeltaMinor?: bigint;
}
