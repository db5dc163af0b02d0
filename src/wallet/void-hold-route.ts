import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { HOLD_AUTH, HoldParams, HoldResult, emptyBodyAsObject } from './hold-route-kit.ts';
import { voidHold } from './void-hold.ts';

const ActionBody = Type.Object({}, { additionalProperties: false });

export const registerVoidHoldRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/billing/holds/:id/void', {
    config: { auth: HOLD_AUTH },
    schema: {
      tags: ['Billing'], summary: 'Void a hold (release its funds)', security: tenantSecurity, operationId: 'post_billing_hold_void',
      description: 'Releases the reservation. Repeating it returns the hold; a captured or expired hold is 409 HOLD_NOT_ACTIVE.',
      params: HoldParams,
      body: ActionBody,
      response: { 200: HoldResult, ...errorResponses('NOT_FOUND', 'HOLD_NOT_ACTIVE') },
    },
    preValidation: emptyBodyAsObject,
  }, async (request) => voidHold(ctx, principalOf(request), request.params.id));
};
