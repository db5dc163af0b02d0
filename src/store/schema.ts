import type { TenantRow, NumberRow, ApiKeyRow, UsedSignatureRow, IdempotencyKeyRow, PortalSessionRow } from './schema-tenants.ts';
import type { LedgerAccountRow, WalletRow, LedgerTransactionRow, LedgerPostingRow, UsageHourlyRow, HoldRow, CreditBlockRow, CreditBlockPostingRow, CreditBlockIntentRow } from './schema-ledger.ts';
import type { CheckoutOrderRow, StripeEventRow, PaymentMethodRow, AutoTopupConfigRow, AutoTopupAttemptRow, RefundClawbackRow, DisputeRow } from './schema-payments.ts';
import type { EventRow, WebhookEndpointRow, WebhookDeliveryRow } from './schema-webhooks.ts';
import type { ReceiptCounterRow, ReceiptRow, OperatorRow, OperatorSessionRow, AuditLogRow, ConsoleHourlyTotalRow, ConsoleRollupStateRow } from './schema-console.ts';

export type { TenantRow, NumberRow, ApiKeyRow, UsedSignatureRow, IdempotencyKeyRow, PortalSessionRow } from './schema-tenants.ts';
export type { LedgerAccountRow, WalletRow, LedgerTransactionRow, LedgerPostingRow, UsageHourlyRow, HoldRow, CreditBlockRow, CreditBlockPostingRow, CreditBlockIntentRow } from './schema-ledger.ts';
export type { CheckoutOrderRow, StripeEventRow, PaymentMethodRow, AutoTopupConfigRow, AutoTopupAttemptRow, RefundClawbackRow, DisputeRow } from './schema-payments.ts';
export type { EventRow, WebhookEndpointRow, WebhookDeliveryRow } from './schema-webhooks.ts';
export type { ReceiptCounterRow, ReceiptRow, OperatorRow, OperatorSessionRow, AuditLogRow, ConsoleHourlyTotalRow, ConsoleRollupStateRow } from './schema-console.ts';

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
