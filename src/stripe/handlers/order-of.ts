import type Stripe from 'stripe';
import { findOrder } from '../../checkout/orders-store.ts';
import type { CheckoutOrderRow } from '../../store/schema.ts';
import type { Ctx } from '../../context.ts';

/** The order a checkout session belongs to: by our metadata, confirmed by the session id we stored. */
export async function orderOfSession(ctx: Ctx, session: Stripe.Checkout.Session): Promise<CheckoutOrderRow | undefined> {
  const orderId = session.metadata?.orderId ?? session.client_reference_id;
  if (!orderId) return undefined;
  const order = await findOrder(ctx.store.db, orderId);
  if (!order) return undefined;
  if (order.stripe_session_id !== null && order.stripe_session_id !== session.id) {
    ctx.log.error({ orderId, storedSession: order.stripe_session_id, eventSession: session.id }, 'checkout session does not match the order');
    return undefined;
  }
  return order;
}

/**
 * A paid session must be for exactly the order's amount and currency (pre-tax subtotal; Adaptive Pricing
 * changes only the presentment side). Anything else is not credited and is logged loudly.
 */
export function sessionMatchesOrder(ctx: Ctx, session: Stripe.Checkout.Session, order: CheckoutOrderRow): boolean {
  const subtotal = session.amount_subtotal;
  const matches = subtotal !== null && order.amount_minor !== null && BigInt(subtotal) === order.amount_minor &&
    (session.currency ?? '').toUpperCase() === order.currency;
  if (!matches) {
    ctx.log.error(
      { orderId: order.id, orderAmountMinor: String(order.amount_minor), orderCurrency: order.currency, sessionSubtotal: subtotal, sessionCurrency: session.currency, sessionId: session.id },
      'ALERT: checkout session amount or currency disagrees with the order; not credited',
    );
  }
  return matches;
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}
