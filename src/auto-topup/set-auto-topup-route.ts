import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { setAutoTopup } from './set-auto-topup.ts';
import { AutoTopupSchema, PutBody, write } from './auto-topup-route-kit.ts';

export const registerSetAutoTopupRoute: RouteRegistrar = (app, ctx) => {
  app.put('/v1/billing/auto-topup', {
    config: { auth: write },
    schema: {
      tags: ['Billing'], summary: 'Configure auto top-up (enabling again resumes it)', security: tenantSecurity, body: PutBody,
      response: { 200: AutoTopupSchema, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID', 'AMOUNT_BELOW_MINIMUM', 'AMOUNT_ABOVE_MAXIMUM', 'NO_PAYMENT_METHOD') },
    },
  }, async (request) => setAutoTopup(ctx, principalOf(request).tenantId, request.body));
};
