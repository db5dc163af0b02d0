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
  checkout_orders: CheckoutOrderRow;
  stripe_events: StripeEventRow;
  payment_methods: PaymentMethodRow;
  idempotency_keys: IdempotencyKeyRow;
  holds: HoldRow;
  refund_clawbacks: RefundClawbackRow;
  disputes: DisputeRow;
  portal_sessions: PortalSessionRow;
  events: EventRow;
  webhook_endpoints: WebhookEndpointRow;
  webhook_deliveries: WebhookDeliveryRow;
  auto_topup_configs: AutoTopupConfigRow;
  auto_topup_attempts: AutoTopupAttemptRow;
  // issue 21: credit blocks
  credit_blocks: CreditBlockRow;
  credit_block_postings: CreditBlockPostingRow;
  credit_block_intents: CreditBlockIntentRow;
  receipt_counters: ReceiptCounterRow;
  receipts: ReceiptRow;
  // Issue 23: the operator console.
  operators: OperatorRow;
  operator_sessions: OperatorSessionRow;
  audit_log: AuditLogRow;
  console_hourly_totals: ConsoleHourlyTotalRow;
  console_rollup_state: ConsoleRollupStateRow;
  usage_hourly: UsageHourlyRow;
}

export interface CheckoutOrderRow {
  id: string;
  tenant_id: string;
  purpose: string;
  state: string;
  amount_minor: bigint | null;
  currency: string;
  success_url: string;
  cancel_url: string;
  checkout_url: string | null;
  stripe_customer_id: string | null;
  stripe_session_id: string | null;
  stripe_payment_intent_id: string | null;
  stripe_setup_intent_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  ledger_transaction_id: string | null;
  expires_at_ms: bigint | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
  completed_at_ms: bigint | null;
}

export interface StripeEventRow {
  id: string;
  type: string;
  payload: string;
  received_at_ms: bigint;
  processed_at_ms: bigint | null;
  claimed_until_ms: bigint | null;
  attempts: bigint;
  outcome: string | null;
  last_error: string | null;
  /** Set when the event exhausted its attempts (dead letter); never retried again automatically. */
  failed_at_ms: bigint | null;
  /** The ledger reference of the credit this event waits for (parked); cleared by that credit's transaction. */
  waiting_for: string | null;
}

export interface PaymentMethodRow {
  id: string;
  tenant_id: string;
  stripe_customer_id: string;
  brand: string;
  last4: string;
  exp_month: bigint;
  exp_year: bigint;
  is_default: bigint;
  created_at_ms: bigint;
  removed_at_ms: bigint | null;
  /** Stripe's card fingerprint (migration 0014); null for cards saved before it. */
  fingerprint: string | null;
  /** Issue 24 (migration 0015): the card that replaced this copy of the same card; null otherwise. */
  duplicate_of: string | null;
  /** When a retired duplicate was detached at Stripe; null while still to do (or for any other card). */
  detached_at_ms: bigint | null;
}

export interface IdempotencyKeyRow {
  tenant_id: string;
  scope: string;
  key: string;
  request_hash: string;
  response_status: bigint | null;
  response_body: string | null;
  created_at_ms: bigint;
  /** While the first attempt runs; after it a retry may take the claim over. Null on rows from before the lease. */
  lease_until_ms: bigint | null;
  /** What the attempt created (a checkout order id), so a retry after a crash resumes it. */
  resource_id: string | null;
}

export interface TenantRow {
  id: string;
  name: string;
  currency: string;
  status: string;
  stripe_customer_id: string | null;
  /** How many times the Stripe customer was replaced; part of the customer's idempotency key. */
  stripe_customer_generation: Generated<bigint>;
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

export interface LedgerPostingRow {
  seq: Generated<bigint>;
  transaction_id: string;
  account_id: string;
  amount_minor: bigint;
  currency: string;
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

export interface RefundClawbackRow {
  reference: string;
  charge_id: string;
  /** Exactly one of order_id (a Checkout top-up) and attempt_id (an auto top-up) is set. */
  order_id: string | null;
  attempt_id: string | null;
  tenant_id: string;
  amount_refunded_minor: bigint;
  clawed_back_minor: bigint;
  transaction_id: string;
  created_at_ms: bigint;
}

export interface DisputeRow {
  id: string;
  charge_id: string;
  /** Exactly one of order_id (a Checkout top-up) and attempt_id (an auto top-up) is set. */
  order_id: string | null;
  attempt_id: string | null;
  tenant_id: string;
  currency: string;
  state: string;
  disputed_minor: bigint;
  held_minor: bigint;
  loss_transaction_id: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
  closed_at_ms: bigint | null;
}

export interface PortalSessionRow {
  id: string;
  tenant_id: string;
  link_token_hash: string;
  cookie_hash: string | null;
  return_url: string | null;
  link_expires_at_ms: bigint;
  opened_at_ms: bigint | null;
  expires_at_ms: bigint | null;
  created_at_ms: bigint;
}

export interface EventRow {
  id: string;
  type: string;
  tenant_id: string | null;
  data: string;
  created_at_ms: bigint;
  dispatched_at_ms: bigint | null;
}

export interface WebhookEndpointRow {
  id: string;
  tenant_id: string | null;
  owner: string;
  url: string;
  description: string | null;
  events: string;
  enabled: bigint;
  secret_salt: string;
  previous_secret_salt: string | null;
  previous_secret_expires_at_ms: bigint | null;
  failing_since_ms: bigint | null;
  disabled_reason: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface WebhookDeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  state: string;
  attempts: bigint;
  next_attempt_at_ms: bigint | null;
  claimed_until_ms: bigint | null;
  last_status: bigint | null;
  last_error: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
  delivered_at_ms: bigint | null;
}

export interface AutoTopupConfigRow {
  tenant_id: string;
  currency: string;
  state: string;
  threshold_minor: bigint;
  amount_minor: bigint | null;
  target_balance_minor: bigint | null;
  monthly_cap_minor: bigint | null;
  charge_min_minor: bigint;
  charge_max_minor: bigint;
  paused_reason: string | null;
  recovery_attempt_id: string | null;
  consecutive_failures: bigint;
  retry_at_ms: bigint | null;
  capped_month: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface AutoTopupAttemptRow {
  id: string;
  tenant_id: string;
  state: string;
  amount_minor: bigint;
  currency: string;
  month: string;
  payment_method_id: string | null;
  payment_intent_id: string | null;
  recovery_session_id: string | null;
  recovery_url: string | null;
  failure_code: string | null;
  failure_message: string | null;
  ledger_transaction_id: string | null;
  claimed_until_ms: bigint | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
  completed_at_ms: bigint | null;
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
