import type { Ctx } from '../context.ts';
import { fieldError } from '../errors/purse-error.ts';
import { type BlockStatus, type CreditBlockView, toBlockView } from './credit-blocks-store.ts';

export const CREDIT_PAGE_SIZE = 100;
const STATUSES: readonly BlockStatus[] = ['active', 'expired', 'depleted', 'voided'];

/** `GET /v1/billing/credits?status=`: the tenant's own blocks (never the internal deficit block), by id descending. */
export async function listCreditBlocks(ctx: Ctx, tenantId: string, query: { status?: string | undefined; cursor?: string | undefined }): Promise<{ data: CreditBlockView[]; nextCursor: string | null }> {
  const status = query.status;
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw fieldError('VALIDATION_ERROR', 'status', `must be one of ${STATUSES.join(', ')}`);
  let q = ctx.store.db.selectFrom('credit_blocks').selectAll().where('tenant_id', '=', tenantId).where('category', '<>', 'deficit');
  if (status === 'active') q = q.where('state', '=', 'active').where('remaining_minor', '>', 0n);
  if (status === 'depleted') q = q.where('state', '=', 'active').where('remaining_minor', '<=', 0n);
  if (status === 'expired' || status === 'voided') q = q.where('state', '=', status);
  if (query.cursor !== undefined) q = q.where('id', '<', query.cursor);
  const rows = await q.orderBy('id', 'desc').limit(CREDIT_PAGE_SIZE + 1).execute();
  const page = rows.slice(0, CREDIT_PAGE_SIZE);
  return { data: page.map(toBlockView), nextCursor: rows.length > CREDIT_PAGE_SIZE ? (page.at(-1)?.id ?? null) : null };
}
