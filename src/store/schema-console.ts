import type { Generated } from 'kysely';

/** Row shapes (see schema.ts): Receipts and the operator console. */
/** Issue 22: one numbering scope per row (`operator`); the last number handed out. */
export interface ReceiptCounterRow {
  scope: string;
  last_number: bigint;
}

/** Issue 22: a receipt (paid top-up or auto top-up) or a credit note (refund), one per ledger transaction. */
export interface ReceiptRow {
  id: string;
  serial: bigint;
  number: string;
  kind: string;
  tenant_id: string;
  transaction_id: string;
  order_id: string | null;
  attempt_id: string | null;
  refund_id: string | null;
  currency: string;
  credited_minor: bigint;
  tax_minor: bigint | null;
  total_minor: bigint | null;
  presentment_amount_minor: bigint | null;
  presentment_currency: string | null;
  card_brand: string | null;
  card_last4: string | null;
  billing_address: string | null;
  stripe_receipt_url: string | null;
  issued_at_ms: bigint;
}

// Issue 23: the operator console.
export interface OperatorRow {
  id: string;
  email: string;
  role: string;
  status: string;
  password_hash: string | null;
  set_password_token_hash: string | null;
  set_password_expires_at_ms: bigint | null;
  failed_logins: Generated<bigint>;
  failures_since_ms: bigint | null;
  locked_until_ms: bigint | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface OperatorSessionRow {
  id: string;
  operator_id: string;
  cookie_hash: string;
  created_at_ms: bigint;
  last_seen_at_ms: bigint;
}

/** Append-only: database triggers refuse UPDATE and DELETE. */
export interface AuditLogRow {
  seq: Generated<bigint>;
  id: string;
  at_ms: bigint;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
  request_id: string | null;
}

export interface ConsoleHourlyTotalRow {
  hour_ms: bigint;
  currency: string;
  kind: string;
  amount_minor: bigint;
  count: bigint;
}

export interface ConsoleRollupStateRow {
  id: string;
  last_seq: bigint;
}
