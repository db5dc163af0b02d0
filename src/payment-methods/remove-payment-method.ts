import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { findTenantPaymentMethod, lockTenantCards } from './payment-method-view.ts';

export interface RemovedPaymentMethod {
  id: string;
  removed: true;
}

/**
 * `DELETE /v1/billing/payment-methods/{id}`: detach at Stripe first (never inside a transaction), then
 * mark removed; removing the default makes the newest remaining card the default, in the same transaction.
 * A Stripe failure changes nothing here; a crash between the two steps is repaired by calling again (the
 * detach replays under its idempotency key, or Stripe says the card is already detached).
 */
export async function removePaymentMethod(ctx: Ctx, tenantId: string, paymentMethodId: string): Promise<RemovedPaymentMethod> {
  const card = await findTenantPaymentMethod(ctx.store.db, tenantId, paymentMethodId);
  await detachAtStripe(ctx, card.id);
  await ctx.store.db.transaction().execute(async (trx) => {
    await lockTenantCards(trx, ctx.store.dialect, tenantId);
    const result = await trx.updateTable('payment_methods').set({ removed_at_ms: BigInt(ctx.nowMs()), is_default: 0n })
      .where('id', '=', card.id).where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null)
      .returning('is_default').executeTakeFirst();
    // A concurrent removal of the same card won: this call answers as the loser of a delete race does.
    if (!result) throw new PurseError('NOT_FOUND');
    const hasDefault = await trx.selectFrom('payment_methods').select('id')
      .where('tenant_id', '=', tenantId).where('is_default', '=', 1n).where('removed_at_ms', 'is', null).executeTakeFirst();
    if (hasDefault) return;
    const newest = await trx.selectFrom('payment_methods').select('id')
      .where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null)
      .orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (newest) await trx.updateTable('payment_methods').set({ is_default: 1n }).where('id', '=', newest.id).execute();
  });
  return { id: card.id, removed: true };
}

async function detachAtStripe(ctx: Ctx, paymentMethodId: string): Promise<void> {
  try {
    await ctx.payments.detachCard(paymentMethodId);
  } catch (err) {
    const e = err as { type?: string; statusCode?: number };
    ctx.log.error({ paymentMethodId, stripeErrorType: e.type, stripeStatus: e.statusCode }, 'Stripe refused or failed to detach a card');
    throw new PurseError('STRIPE_UNAVAILABLE');
  }
}
