import type { RouteRegistrar } from '../api/kit.ts';
import { registerCreateApiKeyRoute } from '../tenants/create-api-key-route.ts';
import { registerListApiKeysRoute } from '../tenants/list-api-keys-route.ts';
import { registerRevokeApiKeyRoute } from '../tenants/revoke-api-key-route.ts';
import { registerCreateTenantRoute } from '../tenants/create-tenant-route.ts';
import { registerListTenantsRoute } from '../tenants/list-tenants-route.ts';
import { registerReadTenantRoute } from '../tenants/read-tenant-route.ts';
import { registerDisableTenantRoute } from '../tenants/disable-tenant-route.ts';
import { registerEnableTenantRoute } from '../tenants/enable-tenant-route.ts';
import { registerCreateNumberRoute } from '../tenants/create-number-route.ts';
import { registerAdminAdjustmentRoute } from '../wallet/admin-adjustment-route.ts';
import { registerGrantCreditRoute } from '../credits/grant-credit-route.ts';
import { registerVoidCreditBlockRoute } from '../credits/void-credit-block-route.ts';
import { registerCreditsReportRoute } from '../credits/credits-report-route.ts';
import { registerListCreditBlocksRoute } from '../credits/list-credit-blocks-route.ts';
import { registerTransactionsRoute } from '../wallet/transactions-route.ts';
import { registerReadTransactionRoute } from '../wallet/read-transaction-route.ts';
import { registerWalletRoute } from '../wallet/wallet-route.ts';
import { registerUsageRoute } from '../wallet/usage-route.ts';
import { registerPlaceHoldRoute } from '../wallet/place-hold-route.ts';
import { registerReadHoldRoute } from '../wallet/read-hold-route.ts';
import { registerCaptureHoldRoute } from '../wallet/capture-hold-route.ts';
import { registerVoidHoldRoute } from '../wallet/void-hold-route.ts';
import { registerUsageSummaryRoute } from '../wallet/usage-summary-route.ts';
import { registerLivenessRoute } from './liveness-route.ts';
import { registerReadinessRoute } from './readiness-route.ts';
import { registerMetrics } from '../metrics/metrics.ts';
import { registerCheckoutRoute } from '../checkout/checkout-route.ts';
import { registerOrderRoute } from '../checkout/order-route.ts';
import { registerListPaymentMethodsRoute } from '../customers/list-payment-methods-route.ts';
import { registerSetDefaultPaymentMethodRoute } from '../customers/set-default-payment-method-route.ts';
import { registerRemovePaymentMethodRoute } from '../customers/remove-payment-method-route.ts';
import { registerAdminPortalSessionRoute } from '../portal/admin-portal-session-route.ts';
import { registerTenantPortalSessionRoute } from '../portal/tenant-portal-session-route.ts';
import { registerReadAutoTopupRoute } from '../auto-topup/read-auto-topup-route.ts';
import { registerSetAutoTopupRoute } from '../auto-topup/set-auto-topup-route.ts';
import { registerListAttemptsRoute } from '../auto-topup/list-attempts-route.ts';
import { registerStripeWebhookRoute } from '../stripe/webhook-route.ts';
import { registerReconcileRoute } from '../stripe/reconcile-route.ts';
import { registerBillingPage } from '../web/billing-page.ts';
import { registerListReceiptsRoute } from '../receipts/list-receipts-route.ts';
import { registerReadReceiptRoute } from '../receipts/read-receipt-route.ts';
import { registerReceiptPdfRoute } from '../receipts/receipt-pdf-route.ts';
import { registerStatementRoute } from '../receipts/statement-route.ts';
import { registerStatementCsvRoute } from '../receipts/statement-csv-route.ts';
import { registerStatementPdfRoute } from '../receipts/statement-pdf-route.ts';
import { registerTransactionsCsvRoute } from '../receipts/transactions-csv-route.ts';
import { registerSetAlertsRoute } from '../wallet/set-alerts-route.ts';
import { registerReadAlertsRoute } from '../wallet/read-alerts-route.ts';
import { registerCreateAdminEndpointRoute } from '../webhooks/create-admin-endpoint-route.ts';
import { registerListAdminEndpointsRoute } from '../webhooks/list-admin-endpoints-route.ts';
import { registerReadAdminEndpointRoute } from '../webhooks/read-admin-endpoint-route.ts';
import { registerUpdateAdminEndpointRoute } from '../webhooks/update-admin-endpoint-route.ts';
import { registerDeleteAdminEndpointRoute } from '../webhooks/delete-admin-endpoint-route.ts';
import { registerRotateAdminEndpointSecretRoute } from '../webhooks/rotate-admin-endpoint-secret-route.ts';
import { registerListAdminEndpointDeliveriesRoute } from '../webhooks/list-admin-endpoint-deliveries-route.ts';
import { registerTestAdminEndpointRoute } from '../webhooks/test-admin-endpoint-route.ts';
import { registerRedeliverEventRoute } from '../webhooks/redeliver-event-route.ts';
import { registerCreateTenantEndpointRoute } from '../webhooks/create-tenant-endpoint-route.ts';
import { registerListTenantEndpointsRoute } from '../webhooks/list-tenant-endpoints-route.ts';
import { registerReadTenantEndpointRoute } from '../webhooks/read-tenant-endpoint-route.ts';
import { registerUpdateTenantEndpointRoute } from '../webhooks/update-tenant-endpoint-route.ts';
import { registerDeleteTenantEndpointRoute } from '../webhooks/delete-tenant-endpoint-route.ts';
import { registerRotateTenantEndpointSecretRoute } from '../webhooks/rotate-tenant-endpoint-secret-route.ts';
import { registerListTenantEndpointDeliveriesRoute } from '../webhooks/list-tenant-endpoint-deliveries-route.ts';
import { registerTestTenantEndpointRoute } from '../webhooks/test-tenant-endpoint-route.ts';
// Issue 23: audit log API and the operator console.
import { registerAuditRoute } from '../audit/audit-route.ts';
import { registerConsole } from '../console/console-routes.ts';

/** Every route of the product, in the order they appear in the docs. */
export const ROUTES: RouteRegistrar[] = [
  // First: its hooks time and count every route after it.
  registerMetrics,
  registerLivenessRoute,
  registerReadinessRoute,
  registerCreateTenantRoute,
  registerListTenantsRoute,
  registerReadTenantRoute,
  registerDisableTenantRoute,
  registerEnableTenantRoute,
  registerCreateNumberRoute,
  registerCreateApiKeyRoute,
  registerListApiKeysRoute,
  registerRevokeApiKeyRoute,
  registerAdminAdjustmentRoute,
  // issue 21: credit blocks
  registerGrantCreditRoute,
  registerVoidCreditBlockRoute,
  registerCreditsReportRoute,
  registerListCreditBlocksRoute,
  registerReconcileRoute,
  registerWalletRoute,
  registerTransactionsRoute,
  registerReadTransactionRoute,
  registerUsageRoute,
  registerPlaceHoldRoute,
  registerReadHoldRoute,
  registerCaptureHoldRoute,
  registerVoidHoldRoute,
  registerUsageSummaryRoute,
  registerCheckoutRoute,
  registerOrderRoute,
  registerListPaymentMethodsRoute,
  registerSetDefaultPaymentMethodRoute,
  registerRemovePaymentMethodRoute,
  registerAdminPortalSessionRoute,
  registerTenantPortalSessionRoute,
  registerSetAlertsRoute,
  registerReadAlertsRoute,
  registerCreateAdminEndpointRoute,
  registerListAdminEndpointsRoute,
  registerReadAdminEndpointRoute,
  registerUpdateAdminEndpointRoute,
  registerDeleteAdminEndpointRoute,
  registerRotateAdminEndpointSecretRoute,
  registerListAdminEndpointDeliveriesRoute,
  registerTestAdminEndpointRoute,
  registerRedeliverEventRoute,
  registerCreateTenantEndpointRoute,
  registerListTenantEndpointsRoute,
  registerReadTenantEndpointRoute,
  registerUpdateTenantEndpointRoute,
  registerDeleteTenantEndpointRoute,
  registerRotateTenantEndpointSecretRoute,
  registerListTenantEndpointDeliveriesRoute,
  registerTestTenantEndpointRoute,
  registerReadAutoTopupRoute,
  registerSetAutoTopupRoute,
  registerListAttemptsRoute,
  // Issue 22.
  registerListReceiptsRoute,
  registerReadReceiptRoute,
  registerReceiptPdfRoute,
  registerStatementRoute,
  registerStatementCsvRoute,
  registerStatementPdfRoute,
  registerTransactionsCsvRoute,
  registerStripeWebhookRoute,
  registerBillingPage,
  // Issue 23.
  registerAuditRoute,
  registerConsole,
];
