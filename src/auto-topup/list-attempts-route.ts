import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { listAttempts } from './list-attempts.ts';
import { AttemptPageSchema, Query, read } from './auto-topup-route-kit.ts';

export const registerListAttemptsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/auto-topup/attempts', {
    config: { auth: read },
    schema: {
      tags: ['Billing'], summary: 'List auto top-up attempts, newest first', security: tenantSecurity, querystring: Query,
      response: { 200: AttemptPageSchema, ...errorResponses('CURSOR_INVALID') },
    },
  }, async (request) => listAttempts(ctx, principalOf(request).tenantId, request.query));
};
