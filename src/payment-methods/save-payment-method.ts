import type Stripe from 'stripe';
import type { Ctx } from '../context.ts';
import { emit } from '../events/emit.ts';

/**
 * After a setup-mode checkout: read the card Stripe saved and keep its display facts (brand, last4,
 * expiry). It becomes the default when the tenant had none. Saving the same card twice is a no-op.
 */
export async function savePaymentMethodFromSetup(ctx: Ctx, tenantId: string, setupIntentId: string | null): Promise<'saved' | 'already_saved' | 'no_payment_method'> {
  if (!setupIntentId) return 'no_payment_method';
  const setupIntent = await ctx.stripe.client.setupIntents.retrieve(setupIntentId);
  const pmId = typeof setupIntent.payment_method === 'string' ? setupIntent.payment_method : setupIntent.payment_method?.id;
  if (!pmId) return 'no_payment_method';
  const pm = await ctx.stripe.client.paymentMethods.retrieve(pmId);
  return storePaymentMethod(ctx, tenantId, pm);
}

async function storePaymentMethod(ctx: Ctx, tenantId: string, pm: Stripe.PaymentMethod): Promise<'saved' | 'already_saved'> {
  const customerId = typeof pm.customer === 'string' ? pm.customer : pm.customer?.id;
  return ctx.store.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('payment_methods').select('id').where('id', '=', pm.id).executeTakeFirst();
    if (existing) return 'already_saved';
    const hasDefault = await trx.selectFrom('payment_methods').select('id')
      .where('tenant_id', '=', tenantId).where('is_default', '=', 1n).where('removed_at_ms', 'is', null).executeTakeFirst();
    const nowMs = ctx.nowMs();
    const inserted = await trx.insertInto('payment_methods').values({
      id: pm.id,
      tenant_id: tenantId,
      stripe_customer_id: customerId ?? '',
      brand: pm.card?.brand ?? pm.type,
      last4: pm.card?.last4 ?? '',
      exp_month: BigInt(pm.card?.exp_month ?? 0),
      exp_year: BigInt(pm.card?.exp_year ?? 0),
      is_default: hasDefault ? 0n : 1n,
      created_at_ms: BigInt(nowMs),
      removed_at_ms: null,
    }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) return 'already_saved';
    await emit(trx, { type: 'payment_method.saved', tenantId, data: {
      paymentMethodId: pm.id, brand: pm.card?.brand ?? pm.type, last4: pm.card?.last4 ?? '',
      expMonth: pm.card?.exp_month ?? 0, expYear: pm.card?.exp_year ?? 0, isDefault: !hasDefault,
    } }, nowMs);
    return 'saved';
  });
}
