import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { readAlerts, setAlerts } from './alerts.ts';

const AlertsSchema = Type.Object({
  lowBalance: Type.Union([Type.Number(), Type.Null()], { description: 'Major units; wallet.low_balance fires once each time available falls below it' }),
});

export const registerAlertsRoute: RouteRegistrar = (app, ctx) => {
  app.put('/v1/billing/alerts', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } },
    schema: {
      tags: ['Billing'], summary: 'Set (or, with null, remove) the low-balance alert', security: tenantSecurity,
      body: Type.Object({ lowBalance: Type.Union([Type.String({ maxLength: 40 }), Type.Number(), Type.Null()]) }, { additionalProperties: false }),
      response: { 200: AlertsSchema, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID') },
    },
  }, async (request) => setAlerts(ctx, principalOf(request).tenantId, request.body));

  app.get('/v1/billing/alerts', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: { tags: ['Billing'], summary: 'Read the low-balance alert', security: tenantSecurity, response: { 200: AlertsSchema, ...errorResponses() } },
  }, async (request) => readAlerts(ctx, principalOf(request).tenantId));
};
