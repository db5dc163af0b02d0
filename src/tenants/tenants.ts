import { PurseError, fieldError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { openWallet } from '../ledger/accounts.ts';
import { isCurrency } from '../money/currencies.ts';
import type { Ctx } from '../context.ts';
import type { TenantRow } from '../store/schema.ts';
import { refreshDebitedSubscriptions } from '../webhooks/endpoints-store.ts';
import { searchNameOf } from './search-name.ts';

export interface Tenant {
  id: string;
  name: string;
  currency: string;
  status: 'active' | 'disabled';
  createdAt: string;
}

export interface NumberView {
  id: string;
  tenantId: string;
  name: string;
  createdAt: string;
}

export const NAME_LENGTH_MAX = 200;

export async function createTenant(ctx: Ctx, input: { name: string; currency: string }): Promise<Tenant> {
  const name = requireName(input.name);
  const currency = input.currency.toUpperCase();
  if (!isCurrency(currency)) throw fieldError('CURRENCY_INVALID', 'currency', 'must be an ISO 4217 currency code');
  const id = newId('ten');
  const nowMs = ctx.nowMs();
  await ctx.store.transact(async (trx) => {
    await trx
      .insertInto('tenants')
      .values({ id, name, search_name: searchNameOf(name), currency, status: 'active', stripe_customer_id: null, created_at_ms: BigInt(nowMs) })
      .execute();
    await openWallet(trx, id, currency, nowMs);
    // wallet.debited is sent only where the wallet row says someone listens: an endpoint registered before
    // this tenant (operator-wide) must count from the first debit.
    await refreshDebitedSubscriptions(trx, id);
  });
  return { id, name, currency, status: 'active', createdAt: new Date(nowMs).toISOString() };
}

/** How much of an unknown tenant id an error repeats. */
const TENANT_ID_ECHO_MAX_CHARS = 64;

export async function getTenant(ctx: Ctx, tenantId: string): Promise<Tenant> {
  const row = await ctx.store.db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
  if (!row) throw tenantNotFound(tenantId);
  return toTenant(row);
}

export async function listTenants(ctx: Ctx): Promise<Tenant[]> {
  const rows = await ctx.store.db.selectFrom('tenants').selectAll().orderBy('created_at_ms', 'asc').execute();
  return rows.map(toTenant);
}

export async function setTenantStatus(ctx: Ctx, tenantId: string, status: 'active' | 'disabled'): Promise<Tenant> {
  const result = await ctx.store.transact((trx) => trx.updateTable('tenants').set({ status }).where('id', '=', tenantId).executeTakeFirst());
  if (result.numUpdatedRows === 0n) throw tenantNotFound(tenantId);
  return getTenant(ctx, tenantId);
}

/** Names the id asked for (an operator's own input, cut short), so `purse keys create --tenant ten_nope` says what is missing. */
function tenantNotFound(tenantId: string): PurseError {
  return new PurseError('NOT_FOUND', { message: `No tenant ${JSON.stringify(tenantId.slice(0, TENANT_ID_ECHO_MAX_CHARS))}` });
}

export async function createNumber(ctx: Ctx, tenantId: string, input: { name: string }): Promise<NumberView> {
  const name = requireName(input.name);
  await getTenant(ctx, tenantId);
  const id = newId('num');
  const nowMs = ctx.nowMs();
  await ctx.store.transact((trx) => trx.insertInto('numbers').values({ id, tenant_id: tenantId, name, created_at_ms: BigInt(nowMs) }).execute());
  return { id, tenantId, name, createdAt: new Date(nowMs).toISOString() };
}

/** A number of this tenant, or undefined: another tenant's number is indistinguishable from none. */
export async function findNumber(ctx: Ctx, tenantId: string, numberId: string): Promise<NumberView | undefined> {
  const row = await ctx.store.db
    .selectFrom('numbers')
    .selectAll()
    .where('id', '=', numberId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, tenantId: row.tenant_id, name: row.name, createdAt: new Date(Number(row.created_at_ms)).toISOString() };
}

function requireName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > NAME_LENGTH_MAX) {
    throw fieldError('VALIDATION_ERROR', 'name', `must be 1 to ${NAME_LENGTH_MAX} characters`);
  }
  return name;
}

function toTenant(row: Pick<TenantRow, 'id' | 'name' | 'currency' | 'status' | 'created_at_ms'>): Tenant {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    // Fail closed: only a row that says `active` reads as active.
    status: row.status === 'active' ? 'active' : 'disabled',
    createdAt: new Date(Number(row.created_at_ms)).toISOString(),
  };
}
