import { auditWrite } from '../audit/audit-log.ts';
import { reconcileStripe } from '../stripe/reconcile.ts';
import { auditActorOf, guardWrite } from './console-http.ts';
import { showInbox } from './ops-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerReconcileAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/reconcile', options, async (request, reply) => {
    const viewer = await guardWrite(ctx, request, reply, 'reconcile.run');
    if (!viewer) return reply;
    // Rides on the first recovery's commit, or stands alone when the run recovered nothing.
    const report = await auditWrite(ctx, auditActorOf(viewer, request), { action: 'reconcile.run' }, () => reconcileStripe(ctx));
    return showInbox(ctx, viewer, reply, viewer.t.reconciled(report.scanned, report.recovered));
  });
};
