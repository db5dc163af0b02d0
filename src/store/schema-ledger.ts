import type { Generated } from 'kysely';

/** Row shapes (see schema.ts): The ledger, wallets, holds, usage and credit blocks. */
export interface LedgerAccountRow {
  id: string;
  tenant_id: string | null;
  kind: string;
  currency: string;
  created_at_ms: bigint;
}

export interface WalletRow {
  tenant_id: string;
  account_id: string;
  currency: string;
  balance_minor: bigint;
  held_minor: bigint;
  updated_at_ms: bigint;
  /** The tenant's low-balance alert (minor units), null when none is set. */
  low_balance_minor: Generated<bigint | null>;
  /** 1 while a fall below the alert would send wallet.low_balance; 0 after it did, until back above. */
  low_balance_armed: Generated<bigint>;
  /** 1 while reaching zero available would send wallet.depleted. */
  depleted_armed: Generated<bigint>;
  /** 1 while an enabled endpoint that covers this tenant names wallet.debited. */
  debited_subscribed: Generated<bigint>;
  /** Auto top-up's threshold while it is armed (active, nothing in flight); null otherwise. */
  auto_topup_threshold_minor: Generated<bigint | null>;
}

export interface LedgerTransactionRow {
  seq: Generated<bigint>;
  id: string;
  reference: string;
  tenant_id: string | null;
  number_id: string | null;
  kind: string;
  description: string | null;
  metadata: string | null;
  currency: string;
  wallet_amount_minor: bigint;
  wallet_balance_after_minor: bigint | null;
  created_at_ms: bigint;
}

export interface LedgerPostingRow {
  seq: Generated<bigint>;
  transaction_id: string;
  account_id: string;
  amount_minor: bigint;
  currency: string;
}

/** Issue 24: spending per wallet, UTC hour, number and description ('' for none); see migration 0014. */
export interface UsageHourlyRow {
  tenant_id: string;
  hour_ms: bigint;
  number_id: string;
  description: string;
  currency: string;
  amount_minor: bigint;
  count: bigint;
}

export interface HoldRow {
  id: string;
  tenant_id: string;
  number_id: string | null;
  currency: string;
  state: string;
  amount_minor: bigint;
  captured_minor: bigint;
  description: string | null;
  metadata: string | null;
  idempotency_key: string | null;
  capture_transaction_id: string | null;
  expires_at_ms: bigint;
  created_at_ms: bigint;
  updated_at_ms: bigint;
  closed_at_ms: bigint | null;
}

/** issue 21: one credit block of a wallet (migration 0011 explains how the trigger keeps them). */
export interface CreditBlockRow {
  id: string;
  tenant_id: string;
  account_id: string;
  currency: string;
  category: string;
  amount_minor: bigint;
  opening_minor: Generated<bigint>;
  remaining_minor: bigint;
  cost_basis_minor: bigint | null;
  priority: bigint;
  expires_at_ms: bigint | null;
  state: string;
  source_transaction_id: string | null;
  order_id: string | null;
  attempt_id: string | null;
  reason: string | null;
  expiring_notified_at_ms: bigint | null;
  created_at_ms: bigint;
  ended_at_ms: bigint | null;
}

export interface CreditBlockPostingRow {
  transaction_id: string;
  block_id: string;
  amount_minor: bigint;
}

export interface CreditBlockIntentRow {
  reference: string;
  category: string | null;
  priority: bigint | null;
  expires_at_ms: bigint | null;
  cost_basis_minor: bigint | null;
  order_id: string | null;
  attempt_id: string | null;
  reason: string | null;
  first_block_id: string | null;
}
