import type { Ctx } from '../context.ts';
import { prefixUpperBound, searchNameOf } from '../tenants/search-name.ts';

/**
 * The tenants page's query: a tenant id (exact), or the start of a name (any case, accents ignored: the
 * `(search_name, id)` index, a range scan in name order); currency, low balance (the partial index of
 * wallets with an alert), paused auto top-up. Keyset pages: on id, or on (search_name, id) for a name.
 */
export const TENANT_PAGE_ROWS = 50;
const CURRENCY_PATTERN = /^[A-Za-z]{3}$/;
const TENANT_ID_PATTERN = /^ten_[0-9A-Za-z]{26}$/;

export interface TenantListRow {
  id: string;
  name: string;
  status: string;
  currency: string;
  balanceMinor: bigint;
}

export async function searchTenants(ctx: Ctx, query: Record<string, string | undefined>): Promise<{ rows: TenantListRow[]; nextCursor: string | null }> {
  const q = query.q?.trim() ?? '';
  const byId = TENANT_ID_PATTERN.test(q) ? q : undefined;
  const prefix = byId === undefined && q !== '' ? searchNameOf(q) : undefined;
  const currency = query.currency && CURRENCY_PATTERN.test(query.currency) ? query.currency.toUpperCase() : undefined;
  const db = ctx.store.reader();
  // A name page resumes after the (search_name, id) of its cursor's tenant.
  const after = prefix !== undefined && query.cursor !== undefined
    ? await db.selectFrom('tenants').select(['search_name', 'id']).where('id', '=', query.cursor).executeTakeFirst() : undefined;
  const rows = await db.selectFrom('tenants as t').innerJoin('wallets as w', 'w.tenant_id', 't.id')
    .select(['t.id', 't.name', 't.status', 'w.currency', 'w.balance_minor'])
    .$if(byId !== undefined, (qb) => qb.where('t.id', '=', byId!))
    .$if(prefix !== undefined, (qb) => qb.where('t.search_name', '>=', prefix!).where('t.search_name', '<', prefixUpperBound(prefix!)))
    .$if(currency !== undefined, (qb) => qb.where('w.currency', '=', currency!))
    .$if(query.filter === 'low', (qb) => qb.where('w.low_balance_minor', 'is not', null).whereRef('w.balance_minor', '<', 'w.low_balance_minor'))
    .$if(query.filter === 'paused', (qb) => qb.where('t.id', 'in', (eb) => eb.selectFrom('auto_topup_configs').select('tenant_id').where('state', 'in', ['paused', 'disabled'])))
    .$if(prefix === undefined && query.cursor !== undefined, (qb) => qb.where('t.id', '>', query.cursor!))
    .$if(after?.search_name != null, (qb) => qb.where((eb) => eb(eb.refTuple('t.search_name', 't.id'), '>', eb.tuple(after!.search_name!, after!.id))))
    .$if(prefix !== undefined, (qb) => qb.orderBy('t.search_name'))
    .orderBy('t.id').limit(TENANT_PAGE_ROWS + 1).execute();
  const page = rows.slice(0, TENANT_PAGE_ROWS);
  return {
    rows: page.map((r) => ({ id: r.id, name: r.name, status: r.status, currency: r.currency, balanceMinor: r.balance_minor })),
    nextCursor: rows.length > TENANT_PAGE_ROWS ? (page.at(-1)?.id ?? null) : null,
  };
}
