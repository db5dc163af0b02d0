import type { Ctx } from '../context.ts';
import { findTenantPaymentMethod, lockTenantCards, type PaymentMethodView, toPaymentMethodView } from './payment-method-view.ts';

/** `POST /v1/billing/payment-methods/{id}/default`: one transaction moves the default to this card. */
export async function makeDefaultPaymentMethod(ctx: Ctx, tenantId: string, paymentMethodId: string): Promise<PaymentMethodView> {
  return ctx.store.db.transaction().execute(async (trx) => {
    await lockTenantCards(trx, ctx.store.dialect, tenantId);
    const card = await findTenantPaymentMethod(trx, tenantId, paymentMethodId);
    if (card.is_default === 1n) return toPaymentMethodView(card);
    await trx.updateTable('payment_methods').set({ is_default: 0n })
      .where('tenant_id', '=', tenantId).where('is_default', '=', 1n).execute();
    await trx.updateTable('payment_methods').set({ is_default: 1n }).where('id', '=', card.id).execute();
    return toPaymentMethodView({ ...card, is_default: 1n });
  });
}
