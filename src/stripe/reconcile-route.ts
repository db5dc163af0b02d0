import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses } from '../api/kit.ts';
import { reconcileStripe } from './reconcile.ts';

const SECONDS_PER_HOUR = 3600;
/** Stripe keeps its events list for 30 days; looking further back finds nothing more. */
export const RECONCILE_SINCE_HOURS_MAX = 30 * 24;

const ReconcileBody = Type.Object({
  sinceHours: Type.Optional(Type.Integer({ minimum: 1, maximum: RECONCILE_SINCE_HOURS_MAX, description: 'How far back to look (default 72 hours).' })),
}, { additionalProperties: false });

/** `POST /v1/admin/reconcile {sinceHours?}` → `{scanned, recovered}`: the same run as `purse reconcile`. */
export const registerReconcileRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/reconcile', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Catch up Stripe payments, refunds and events that never arrived', security: adminSecurity,
      body: Type.Optional(ReconcileBody),
      response: { 200: Type.Object({ scanned: Type.Integer(), recovered: Type.Integer() }), ...errorResponses() },
    },
  }, async (request) => {
    const hours = request.body?.sinceHours;
    return reconcileStripe(ctx, ...(hours === undefined ? [] : [hours * SECONDS_PER_HOUR]));
  });
};
