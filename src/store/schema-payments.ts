/** Row shapes (see schema.ts): Checkout orders, Stripe events, cards, auto top-up, refunds and disputes. */
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
  /** Issue 24 (migration 0016): the card that replaced this copy of the same card; null otherwise. */
  duplicate_of: string | null;
  /** When a retired duplicate was detached at Stripe; null while still to do (or for any other card). */
  detached_at_ms: bigint | null;
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
