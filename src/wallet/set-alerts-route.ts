import { Type } from 'typebox';
import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { setAlerts } from './alerts.ts';
import { AlertsSchema } from './alerts-route-kit.ts';

export const registerSetAlertsRoute: RouteRegistrar = (app, ctx) => {
  app.put('/v1/billing/alerts', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } },
    schema: {
      tags: ['Billing'], summary: 'Set (or, with null, remove) the low-balance alert', security: tenantSecurity,
      body: Type.Object({ lowBalance: Type.Union([Type.String({ maxLength: 40 }), Type.Number(), Type.Null()]) }, { additionalProperties: false }),
      response: { 200: AlertsSchema, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID') },
    },
  }, async (request) => setAlerts(ctx, principalOf(request).tenantId, request.body));
};
