import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { readAutoTopup } from './views.ts';
import { AutoTopupSchema, read } from './auto-topup-route-kit.ts';

export const registerReadAutoTopupRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/auto-topup', {
    config: { auth: read },
    schema: { tags: ['Billing'], summary: 'Read auto top-up settings and state', security: tenantSecurity, response: { 200: AutoTopupSchema, ...errorResponses() } },
  }, async (request) => readAutoTopup(ctx, principalOf(request).tenantId));
};
