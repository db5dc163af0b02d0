import type { RouteRegistrar } from '../api/kit.ts';
import { registerAdminKeyRoutes } from '../tenants/admin-key-routes.ts';
import { registerAdminTenantRoutes } from '../tenants/admin-tenant-routes.ts';
import { registerAdminAdjustmentRoute } from '../wallet/admin-adjustment-route.ts';
import { registerCreditRoutes } from '../credits/credits-routes.ts';
import { registerTransactionsRoute } from '../wallet/transactions-route.ts';
import { registerReadTransactionRoute } from '../wallet/read-transaction-route.ts';
import { registerWalletRoute } from '../wallet/wallet-route.ts';
import { registerUsageRoute } from '../wallet/usage-route.ts';
import { registerPlaceHoldRoute } from '../wallet/place-hold-route.ts';
import { registerReadHoldRoute } from '../wallet/read-hold-route.ts';
import { registerCaptureHoldRoute } from '../wallet/capture-hold-route.ts';
import { registerVoidHoldRoute } from '../wallet/void-hold-route.ts';
import { registerUsageSummaryRoute } from '../wallet/usage-summary-route.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { registerMetrics } from '../metrics/metrics.ts';
import { registerCheckoutRoute } from '../checkout/checkout-route.ts';
import { registerOrderRoute } from '../checkout/order-route.ts';
import { registerPaymentMethodsRoute } from '../customers/payment-methods-route.ts';
import { registerPortalSessionRoutes } from '../portal/portal-session-routes.ts';
import { registerAutoTopupRoutes } from '../auto-topup/auto-topup-routes.ts';
import { registerStripeWebhookRoute } from '../stripe/webhook-route.ts';
import { registerReconcileRoute } from '../stripe/reconcile-route.ts';
import { registerBillingPage } from '../web/billing-page.ts';
import { registerReceiptRoutes } from '../receipts/receipts-routes.ts';
import { registerStatementRoutes } from '../receipts/statements-routes.ts';
import { registerAlertsRoute } from '../wallet/alerts-route.ts';
import { registerAdminWebhookRoutes } from '../webhooks/admin-endpoint-routes.ts';
import { registerTenantWebhookRoutes } from '../webhooks/tenant-endpoint-routes.ts';
// Issue 23: audit log API and the operator console.
import { registerAuditRoute } from '../audit/audit-route.ts';
import { registerConsole } from '../console/console-routes.ts';

/** Every route of the product, in the order they appear in the docs. */
export const ROUTES: RouteRegistrar[] = [
  // First: its hooks time and count every route after it.
  registerMetrics,
  registerHealthRoutes,
  registerAdminTenantRoutes,
  registerAdminKeyRoutes,
  registerAdminAdjustmentRoute,
  // issue 21: credit blocks
  registerCreditRoutes,
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
  registerPaymentMethodsRoute,
  registerPortalSessionRoutes,
  registerAlertsRoute,
  registerAdminWebhookRoutes,
  registerTenantWebhookRoutes,
  registerAutoTopupRoutes,
  // Issue 22.
  registerReceiptRoutes,
  registerStatementRoutes,
  registerStripeWebhookRoute,
  registerBillingPage,
  // Issue 23.
  registerAuditRoute,
  registerConsole,
];
