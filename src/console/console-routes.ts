import type { RouteRegistrar, App } from '../api/kit.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';
import { registerLoginFormPage } from './login-form-page-route.ts';
import { registerLoginAction } from './login-action-route.ts';
import { registerLogoutAction } from './logout-action-route.ts';
import { registerSetPasswordFormPage } from './set-password-form-page-route.ts';
import { registerSetPasswordAction } from './set-password-action-route.ts';
import { registerOverviewPage } from './overview-page-route.ts';
import { registerTenantListPage } from './tenant-list-page-route.ts';
import { registerTenantPage } from './tenant-page-route.ts';
import { registerAdjustTenantAction } from './adjust-tenant-action-route.ts';
import { registerPortalLinkAction } from './portal-link-action-route.ts';
import { registerDeliveriesPage } from './deliveries-page-route.ts';
import { registerReplayDeliveryAction } from './replay-delivery-action-route.ts';
import { registerInboxPage } from './inbox-page-route.ts';
import { registerRetryInboxAction } from './retry-inbox-action-route.ts';
import { registerReconcileAction } from './reconcile-action-route.ts';
import { registerAuditPage } from './audit-page-route.ts';
import { registerTenantHistoryCsv } from './tenant-history-csv-route.ts';
import { registerResumeAutoTopupAction } from './resume-auto-topup-action-route.ts';
import { registerReplayTenantDeliveryAction } from './replay-tenant-delivery-action-route.ts';
import { registerTenantReceiptPdf } from './tenant-receipt-pdf-route.ts';
import { registerOperatorsPage } from './operators-page-route.ts';
import { registerCreateOperatorAction } from './create-operator-action-route.ts';
import { registerDisableOperatorAction } from './disable-operator-action-route.ts';
import { registerResetOperatorPasswordAction } from './reset-password-action-route.ts';

/** `/admin`: the operator console (SPEC §9.3), server-rendered, behind an operator session. */
const FORM_BODY_LIMIT_BYTES = 8 * 1024;
const hidden = { schema: { hide: true }, config: { auth: { kind: 'public' as const } } };
/** The console's pages and form actions, one per file, in the order they are registered. */
const CONSOLE_PAGES: ConsolePageRegistrar[] = [
  registerLoginFormPage,
  registerLoginAction,
  registerLogoutAction,
  registerSetPasswordFormPage,
  registerSetPasswordAction,
  registerOverviewPage,
  registerTenantListPage,
  registerTenantPage,
  registerTenantHistoryCsv,
  registerResumeAutoTopupAction,
  registerReplayTenantDeliveryAction,
  registerTenantReceiptPdf,
  registerAdjustTenantAction,
  registerPortalLinkAction,
  registerDeliveriesPage,
  registerReplayDeliveryAction,
  registerInboxPage,
  registerRetryInboxAction,
  registerReconcileAction,
  registerAuditPage,
  registerOperatorsPage,
  registerCreateOperatorAction,
  registerDisableOperatorAction,
  registerResetOperatorPasswordAction,
];

export const registerConsole: RouteRegistrar = (app, ctx) => {
  void app.register(async (scope) => {
    const pages = scope as unknown as App;
    pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    for (const register of CONSOLE_PAGES) register(pages, ctx, hidden);
  });
};
