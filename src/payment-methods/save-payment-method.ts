import type { SavedCard } from '../gateway/payment-gateway.ts';
import type { Ctx } from '../context.ts';
import { emit } from '../events/emit.ts';

/**
 * After a setup-mode checkout: read the card the provider saved and keep its display facts (brand, last4,
 * expiry). It becomes the default when the tenant had none. Saving the same card twice is a no-op.
 */
export async function savePaymentMethodFromSetup(ctx: Ctx, tenantId: string, setupIntentId: string | null): Promise<'saved' | 'already_saved' | 'no_payment_method'> {
  if (!setupIntentId) return 'no_payment_method';
  const card = await ctx.payments.cardOfSetup(setupIntentId);
  if (!card) return 'no_payment_method';
  return storePaymentMethod(ctx, tenantId, card);
}

async function storePaymentMethod(ctx: Ctx, tenantId: string, card: SavedCard): Promise<'saved' | 'already_saved'> {
  return ctx.store.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('payment_methods').select('id').where('id', '=', card.paymentMethodId).executeTakeFirst();
    if (existing) return 'already_saved';
    const hasDefault = await trx.selectFrom('payment_methods').select('id')
      .where('tenant_id', '=', tenantId).where('is_default', '=', 1n).where('removed_at_ms', 'is', null).executeTakeFirst();
    const nowMs = ctx.nowMs();
    const inserted = await trx.insertInto('payment_methods').values({
      id: card.paymentMethodId,
      tenant_id: tenantId,
      stripe_customer_id: card.customerId ?? '',
      brand: card.brand,
      last4: card.last4,
      exp_month: BigInt(card.expMonth),
      exp_year: BigInt(card.expYear),
      is_default: hasDefault ? 0n : 1n,
      created_at_ms: BigInt(nowMs),
      removed_at_ms: null,
    }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) return 'already_saved';
    await emit(trx, { type: 'payment_method.saved', tenantId, data: {
      paymentMethodId: card.paymentMethodId, brand: card.brand, last4: card.last4,
      expMonth: card.expMonth, expYear: card.expYear, isDefault: !hasDefault,
    } }, nowMs);
    return 'saved';
  });
}
