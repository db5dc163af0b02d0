import type { App, RouteRegistrar } from '../api/kit.ts';
import { registerBillingActions } from './billing-actions.ts';
import { registerBillingDocuments } from './billing-documents.ts';
import { registerBillingHome } from './billing-home-route.ts';
import { registerBillingStatus } from './billing-status-route.ts';

/**
 * `/billing`: the customer's billing page, opened through a portal link (`?session=…`, traded once for a
 * cookie) and the landing page Stripe returns customers to. Forms post to `/billing/*` (billing-actions.ts).
 */
const FORM_BODY_LIMIT_BYTES = 8 * 1024;
const hidden = { schema: { hide: true }, config: { auth: { kind: 'public' as const } } };

export const registerBillingPage: RouteRegistrar = (app, ctx) => {
  void app.register(async (scope) => {
    const pages = scope as unknown as App;
    pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    registerBillingHome(pages, ctx, hidden);
    registerBillingStatus(pages, ctx, hidden);
    registerBillingActions(pages, ctx, hidden);
    registerBillingDocuments(pages, ctx, hidden);
  });
};
