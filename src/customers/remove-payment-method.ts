import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { retryingUniqueRace } from '../store/unique-violation.ts';
import { type CardView, findCard, makeDefault, promoteNewestCard, toCardView } from './cards-store.ts';
import { onCardRemoved } from './card-events.ts';

/**
 * `DELETE /v1/billing/payment-methods/{id}` (SPEC §8.1): detach the card at Stripe first, outside any
 * transaction, with an idempotency key derived from our id (a retry after a crash replays the detach), then
 * mark it removed; removing the default makes the newest remaining card the default.
 */
export async function removePaymentMethod(ctx: Ctx, tenantId: string, id: string): Promise<{ id: string; removed: true }> {
  const card = await findCard(ctx.store.db, tenantId, id);
  if (!card) throw new PurseError('NOT_FOUND');
  await detachAtStripe(ctx, id);
  const nowMs = ctx.nowMs();
  await retryingUniqueRace(() => ctx.store.transact(async (trx) => {
    const removed = await trx.updateTable('payment_methods').set({ removed_at_ms: BigInt(nowMs), is_default: 0n })
      .where('id', '=', id).where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null).executeTakeFirst();
    if (removed.numUpdatedRows !== 1n) return;
    const facts = toCardView(card);
    if (card.is_default !== 1n) {
      await onCardRemoved(ctx.cardHooks ?? [], trx, tenantId, facts, null, false, nowMs);
      return;
    }
    const promoted = await promoteNewestCard(trx, tenantId);
    await onCardRemoved(ctx.cardHooks ?? [], trx, tenantId, facts, promoted ?? null, promoted === undefined, nowMs);
  }, { key: tenantId }));
  return { id, removed: true };
}

/** A card Stripe no longer has attached (detached elsewhere, or by an earlier try) counts as detached. */
async function detachAtStripe(ctx: Ctx, id: string): Promise<void> {
  try {
    // Already detached (gone at Stripe, or detached by an earlier try) counts as done in the gateway.
    await ctx.payments.detachCard(id);
  } catch (err) {
    ctx.log.error({ paymentMethodId: id, err: (err as Error).message }, 'Stripe refused or failed to detach a card');
    throw new PurseError('STRIPE_UNAVAILABLE');
  }
}

/** `POST /v1/billing/payment-methods/{id}/default`. */
export async function setDefaultPaymentMethod(ctx: Ctx, tenantId: string, id: string): Promise<CardView> {
  const card = await retryingUniqueRace(() => ctx.store.transact(async (trx) => {
    const found = await findCard(trx, tenantId, id);
    if (!found) return undefined;
    await makeDefault(trx, tenantId, id);
    return found;
  }, { key: tenantId }));
  if (!card) throw new PurseError('NOT_FOUND');
  return { ...toCardView(card), isDefault: true };
}
