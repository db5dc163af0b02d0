import type { Ctx } from '../context.ts';
import { assert } from '../errors/purse-error.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';

export interface TenantCustomer {
  name: string;
  stripe_customer_id: string | null;
  stripe_customer_generation: bigint;
}

export const TENANT_CUSTOMER_COLUMNS = ['name', 'stripe_customer_id', 'stripe_customer_generation'] as const satisfies ReadonlyArray<keyof TenantCustomer>;

/** The tenant's stored customer (null before the first checkout or after a replacement); one precompiled read. */
async function readCustomer(ctx: Ctx, tenantId: string): Promise<TenantCustomer> {
  const db = ctx.store.db;
  const text = precompiled(db, 'tenants:customer', () => `select ${TENANT_CUSTOMER_COLUMNS.join(', ')} from tenants where id = ?`);
  const row = (await runPrecompiled<TenantCustomer>(db, text, [tenantId])).rows[0];
  assert(row, `the tenant ${tenantId} the customer is read for exists`);
  return row;
}

/**
 * The tenant's provider customer, created once, lazily. Two racing first checkouts send the same
 * idempotency key, so Stripe hands both the same customer; the guarded update keeps the first one stored.
 * The key carries the tenant's customer generation, so a replacement (below) is a new request to Stripe.
 * `known`: the tenant's row when the caller has just read it (the order insert returns it).
 */
export async function ensureCustomer(ctx: Ctx, tenantId: string, known?: TenantCustomer): Promise<string> {
  const db = ctx.store.db;
  const tenant = known ?? await readCustomer(ctx, tenantId);
  if (tenant.stripe_customer_id) return tenant.stripe_customer_id;
  const generation = tenant.stripe_customer_generation;
  const customerId = await ctx.payments.createCustomer({ tenantId, name: tenant.name, generation });
  await db.updateTable('tenants').set({ stripe_customer_id: customerId })
    .where('id', '=', tenantId).where('stripe_customer_id', 'is', null).where('stripe_customer_generation', '=', generation).execute();
  const stored = await db.selectFrom('tenants').select('stripe_customer_id').where('id', '=', tenantId).executeTakeFirstOrThrow();
  return stored.stripe_customer_id ?? customerId;
}

/**
 * The provider no longer knows the stored customer (the sandbox restarted, test keys became live ones, it
 * was deleted in the dashboard): forget it and move to the next generation, then create a new one. Guarded
 * on the stale id, so concurrent discoverers bump the generation once.
 */
export async function replaceCustomer(ctx: Ctx, tenantId: string, staleCustomerId: string): Promise<string> {
  const result = await ctx.store.db.updateTable('tenants')
    .set((eb) => ({ stripe_customer_id: null, stripe_customer_generation: eb('stripe_customer_generation', '+', 1n) }))
    .where('id', '=', tenantId).where('stripe_customer_id', '=', staleCustomerId).executeTakeFirst();
  if (result.numUpdatedRows === 1n) ctx.log.warn({ tenantId, staleCustomerId }, 'Stripe customer no longer exists; creating a new one');
  return ensureCustomer(ctx, tenantId);
}
