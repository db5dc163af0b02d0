import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import type { Store } from '../store/db.ts';

/**
 * Facts that never change once written — a tenant's account currency, which tenant a number belongs to —
 * cached per store so that the usage hot path spends its database work on the ledger transaction alone.
 * Only found facts are cached (an unknown number is asked again next time), and a stale entry is
 * impossible because nothing updates these columns or deletes these rows. Each instance fills its own.
 */
export const CURRENCIES_CACHED_MAX = 10_000;
export const NUMBERS_CACHED_MAX = 50_000;

interface Facts {
  currencyByTenant: Map<string, string>;
  tenantByNumber: Map<string, string>;
}

const FACTS = new WeakMap<Store, Facts>();

function factsOf(store: Store): Facts {
  let facts = FACTS.get(store);
  if (!facts) {
    facts = { currencyByTenant: new Map(), tenantByNumber: new Map() };
    FACTS.set(store, facts);
  }
  return facts;
}

/** Insertion order is age: the oldest entry makes room. */
function remember(map: Map<string, string>, key: string, value: string, sizeMax: number): void {
  if (map.size >= sizeMax) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}

/** The wallet's currency (every tenant has exactly one wallet, in its account currency). */
export async function tenantCurrency(ctx: Ctx, tenantId: string): Promise<string> {
  const facts = factsOf(ctx.store);
  const cached = facts.currencyByTenant.get(tenantId);
  if (cached) return cached;
  const row = await ctx.store.db.selectFrom('wallets').select('currency').where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  remember(facts.currencyByTenant, tenantId, row.currency, CURRENCIES_CACHED_MAX);
  return row.currency;
}

/** Whether the number is this tenant's; another tenant's number is indistinguishable from none. */
export async function isTenantNumber(ctx: Ctx, tenantId: string, numberId: string): Promise<boolean> {
  const facts = factsOf(ctx.store);
  const owner = facts.tenantByNumber.get(numberId);
  if (owner !== undefined) return owner === tenantId;
  const row = await ctx.store.db.selectFrom('numbers').select('tenant_id').where('id', '=', numberId).executeTakeFirst();
  if (!row) return false;
  remember(facts.tenantByNumber, numberId, row.tenant_id, NUMBERS_CACHED_MAX);
  return row.tenant_id === tenantId;
}
