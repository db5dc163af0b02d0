import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { readAlerts } from './alerts.ts';
import { AlertsSchema } from './alerts-route-kit.ts';

export const registerReadAlertsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/alerts', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: { tags: ['Billing'], summary: 'Read the low-balance alert', security: tenantSecurity, response: { 200: AlertsSchema, ...errorResponses() } },
  }, async (request) => readAlerts(ctx, principalOf(request).tenantId));
};
