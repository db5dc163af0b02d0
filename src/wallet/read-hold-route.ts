import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { HOLD_AUTH, HoldParams } from './hold-route-kit.ts';
import { HoldSchema } from './hold-view.ts';
import { readHold } from './read-hold.ts';

export const registerReadHoldRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/holds/:id', {
    config: { auth: HOLD_AUTH },
    schema: {
      tags: ['Billing'], summary: 'Read a hold', security: tenantSecurity, operationId: 'get_billing_hold',
      params: HoldParams,
      response: { 200: HoldSchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => readHold(ctx, principalOf(request), request.params.id));
};
