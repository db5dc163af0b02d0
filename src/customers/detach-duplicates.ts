import type { Ctx } from '../context.ts';
import { emit } from '../events/emit.ts';

/**
 * A card saved again under a new payment method leaves its older copy retired (save-payment-method.ts);
 * this detaches that copy at Stripe, so the customer's cards there match the page. Outside any transaction,
 * with the idempotency key the gateway derives from the payment method's id (a retry after a crash replays
 * the same detach; one already gone counts as detached). Each detach is recorded with
 * `payment_method.duplicate_detached`, once. What Stripe refuses now the job tries again later.
 */
const DETACH_BATCH_MAX = 50;
export const DUPLICATE_DETACH_EVERY_MS = 60_000;

export async function detachDuplicates(ctx: Ctx, tenantId?: string): Promise<number> {
  let query = ctx.store.db.selectFrom('payment_methods').select(['id', 'tenant_id', 'duplicate_of', 'brand', 'last4'])
    .where('duplicate_of', 'is not', null).where('detached_at_ms', 'is', null);
  if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
  const pending = await query.orderBy('id').limit(DETACH_BATCH_MAX).execute();
  let detached = 0;
  for (const row of pending) {
    try {
      await ctx.payments.detachCard(row.id);
    } catch (err) {
      ctx.log.warn({ paymentMethodId: row.id, err: (err as Error).message }, 'duplicate card not detached at Stripe yet; the job tries again');
      continue;
    }
    const nowMs = ctx.nowMs();
    await ctx.store.transact(async (trx) => {
      const marked = await trx.updateTable('payment_methods').set({ detached_at_ms: BigInt(nowMs) })
        .where('id', '=', row.id).where('detached_at_ms', 'is', null).executeTakeFirst();
      if (marked.numUpdatedRows !== 1n) return;
      detached += 1;
      await emit(trx, {
        type: 'payment_method.duplicate_detached', tenantId: row.tenant_id,
        data: { paymentMethodId: row.id, replacedBy: row.duplicate_of ?? '', brand: row.brand, last4: row.last4 },
      }, nowMs);
    }, { key: row.tenant_id });
  }
  return detached;
}
