import type { Generated } from 'kysely';

/** Table shapes as the query layer sees them. Every integer column is 64-bit and read back as bigint. */
export interface Database {
  tenants: TenantRow;
  numbers: NumberRow;
  api_keys: ApiKeyRow;
  used_signatures: UsedSignatureRow;
  ledger_accounts: LedgerAccountRow;
  wallets: WalletRow;
  ledger_transactions: LedgerTransactionRow;
  ledger_postings: LedgerPostingRow;
}

export interface TenantRow {
  id: string;
  name: string;
  currency: string;
  status: string;
  stripe_customer_id: string | null;
  created_at_ms: bigint;
}

export interface NumberRow {
  id: string;
  tenant_id: string;
  name: string;
  created_at_ms: bigint;
}

export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  number_id: string | null;
  scope: string;
  permissions: string;
  secret_hash: string;
  salt: string;
  hint: string;
  created_at_ms: bigint;
  revoked_at_ms: bigint | null;
}

export interface UsedSignatureRow {
  key_id: string;
  signature: string;
  expires_at_ms: bigint;
}

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
}

export interface LedgerTransactionRow {
  seq: Generated<bigint>;
  id: string;
  reference: string;
  tenant_id: string | null;
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
