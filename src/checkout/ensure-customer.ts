import type { Ctx } from '../context.ts';

/**
 * The tenant's provider customer, created once, lazily. Two racing first checkouts send the same
 * idempotency key, so Stripe hands both the same customer; the guarded update keeps the first one stored.
 * The key carries the tenant's customer generation, so a replacement (below) is a new request to Stripe.
 */
export async function ensureCustomer(ctx: Ctx, tenantId: string): Promise<string> {
  const db = ctx.store.db;
  const tenant = await db.selectFrom('tenants').select(['name', 'stripe_customer_id', 'stripe_customer_generation']).where('id', '=', tenantId).executeTakeFirstOrThrow();
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
