import { stripeIdempotencyKey } from './gateway.ts';
import type { Ctx } from '../context.ts';

/**
 * The tenant's Stripe customer, created once, lazily. Two racing first checkouts send the same
 * idempotency key, so Stripe hands both the same customer; the guarded update keeps the first one stored.
 */
export async function ensureStripeCustomer(ctx: Ctx, tenantId: string): Promise<string> {
  const db = ctx.store.db;
  const tenant = await db.selectFrom('tenants').select(['name', 'stripe_customer_id']).where('id', '=', tenantId).executeTakeFirstOrThrow();
  if (tenant.stripe_customer_id) return tenant.stripe_customer_id;
  const customer = await ctx.stripe.client.customers.create(
    { name: tenant.name, metadata: { tenantId } },
    { idempotencyKey: stripeIdempotencyKey('customer', tenantId) },
  );
  await db.updateTable('tenants').set({ stripe_customer_id: customer.id }).where('id', '=', tenantId).where('stripe_customer_id', 'is', null).execute();
  const stored = await db.selectFrom('tenants').select('stripe_customer_id').where('id', '=', tenantId).executeTakeFirstOrThrow();
  return stored.stripe_customer_id ?? customer.id;
}
