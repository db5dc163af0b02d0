import type { Ctx } from '../context.ts';

/**
 * The tenant's provider customer, created once, lazily. Two racing first checkouts send the same
 * idempotency key, so Stripe hands both the same customer; the guarded update keeps the first one stored.
 */
export async function ensureCustomer(ctx: Ctx, tenantId: string): Promise<string> {
  const db = ctx.store.db;
  const tenant = await db.selectFrom('tenants').select(['name', 'stripe_customer_id']).where('id', '=', tenantId).executeTakeFirstOrThrow();
  if (tenant.stripe_customer_id) return tenant.stripe_customer_id;
  const customerId = await ctx.payments.createCustomer({ tenantId, name: tenant.name });
  await db.updateTable('tenants').set({ stripe_customer_id: customerId }).where('id', '=', tenantId).where('stripe_customer_id', 'is', null).execute();
  const stored = await db.selectFrom('tenants').select('stripe_customer_id').where('id', '=', tenantId).executeTakeFirstOrThrow();
  return stored.stripe_customer_id ?? customerId;
}
