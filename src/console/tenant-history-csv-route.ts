import type { Principal } from '../auth/authenticate.ts';
import { PurseError } from '../errors/purse-error.ts';
import { exportTransactionsCsv } from '../receipts/transactions-csv.ts';
import { requireOperator, sendPage } from './console-http.ts';
import { renderMessage } from './console-shell.ts';
import { queryOf } from './console-util.ts';
import { parseHistoryFilter } from './tenant-history.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

/** `GET /admin/tenants/:id/history.csv?kind&number&from&to`: any role may read it. */
export const registerTenantHistoryCsv: ConsolePageRegistrar = (app, ctx, options) => {
  app.get('/admin/tenants/:id/history.csv', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    if (!viewer) return reply;
    const tenantId = (request.params as { id: string }).id;
    const f = parseHistoryFilter(queryOf(request));
    const tenant = await ctx.store.db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
    if (!tenant) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noRows, 'NOT_FOUND', viewer), 404);
    if (!f) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.filterInvalid, 'VALIDATION_ERROR', viewer), new PurseError('VALIDATION_ERROR').status);
    const asTenant: Principal = { keyId: 'console', tenantId, scope: 'tenant', numberId: null, permissions: [] };
    const stream = await exportTransactionsCsv(ctx, asTenant, { kind: f.kind, numberId: f.numberId, from: f.from, to: f.to });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${tenantId}-transactions.csv"`).send(stream);
  });
};
