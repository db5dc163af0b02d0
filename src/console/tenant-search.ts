import { sql } from 'kysely';
import type { Ctx } from '../context.ts';

/** The tenants page's query: name (contains, any case on both databases) or exact id, currency, low balance, paused auto top-up; keyset pages on id. */
export const TENANT_PAGE_ROWS = 50;
const CURRENCY_PATTERN = /^[A-Za-z]{3}$/;

export interface TenantListRow {
  id: string;
  name: string;
  status: string;
  currency: string;
  balanceMinor: bigint;
}

export async function searchTenants(ctx: Ctx, query: Record<string, string | undefined>): Promise<{ rows: TenantListRow[]; nextCursor: string | null }> {
  const q = query.q?.trim();
  const currency = query.currency && CURRENCY_PATTERN.test(query.currency) ? query.currency.toUpperCase() : undefined;
  const rows = await ctx.store.reader().selectFrom('tenants as t').innerJoin('wallets as w', 'w.tenant_id', 't.id')
    .select(['t.id', 't.name', 't.status', 'w.currency', 'w.balance_minor'])
    .$if(q !== undefined && q !== '', (qb) => qb.where((eb) => eb.or([eb('t.id', '=', q!), eb(sql<string>`lower(t.name)`, 'like', `%${q!.replace(/[%_\\]/g, '').toLowerCase()}%`)])))
    .$if(currency !== undefined, (qb) => qb.where('w.currency', '=', currency!))
    .$if(query.filter === 'low', (qb) => qb.where('w.low_balance_minor', 'is not', null).whereRef('w.balance_minor', '<', 'w.low_balance_minor'))
    .$if(query.filter === 'paused', (qb) => qb.where('t.id', 'in', (eb) => eb.selectFrom('auto_topup_configs').select('tenant_id').where('state', 'in', ['paused', 'disabled'])))
    .$if(query.cursor !== undefined, (qb) => qb.where('t.id', '>', query.cursor!))
    .orderBy('t.id').limit(TENANT_PAGE_ROWS + 1).execute();
  const page = rows.slice(0, TENANT_PAGE_ROWS);
  return {
    rows: page.map((r) => ({ id: r.id, name: r.name, status: r.status, currency: r.currency, balanceMinor: r.balance_minor })),
    nextCursor: rows.length > TENANT_PAGE_ROWS ? (page.at(-1)?.id ?? null) : null,
  };
}
