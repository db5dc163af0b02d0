import { assert } from '../errors/purse-error.ts';
import { findOrder, type Order } from '../checkout/orders-store.ts';
import type { Ctx } from '../context.ts';

/**
 * Thrown when money comes back for a charge whose top-up is not credited yet (the refund or dispute
 * event overtook checkout.session.completed). Stripe only refunds or disputes a succeeded charge, so the
 * credit will come; the inbox keeps the event and retries it after the credit.
 */
export class NotCreditedYet extends Error {
  constructor(readonly orderId: string) {
    super(`order ${orderId} is not credited yet; the event is retried once it is`);
    this.name = 'NotCreditedYet';
  }
}

export type CreditedOrder = Order & { amount_minor: bigint };

/** The credited top-up a charge paid for, or why there is none to take money back from. */
export async function creditedOrderOf(ctx: Ctx, orderId: string | null): Promise<CreditedOrder | 'not_ours' | 'unknown_order' | 'not_a_topup'> {
  if (!orderId) return 'not_ours';
  const order = await findOrder(ctx.store.db, orderId);
  if (!order) return 'unknown_order';
  if (order.purpose !== 'wallet_topup') return 'not_a_topup';
  if (order.state !== 'paid') throw new NotCreditedYet(order.id);
  assert(order.amount_minor !== null && order.amount_minor > 0n, `paid top-up ${order.id} has a positive amount`);
  return { ...order, amount_minor: order.amount_minor };
}

/**
 * The part of what was credited that `partMinor` of a `wholeMinor` charge stands for (SPEC §8.4:
 * credited × part ÷ whole). Rounded down, so only the whole charge gives back the whole credit; tax and
 * presentment currency are in the charge's figures on both sides of the ratio, so they cancel out.
 */
export function shareOfCredit(creditedMinor: bigint, partMinor: bigint, wholeMinor: bigint): bigint {
  assert(wholeMinor > 0n && partMinor >= 0n && partMinor <= wholeMinor, `0 ≤ ${partMinor} ≤ ${wholeMinor} and the charge is positive`);
  return (creditedMinor * partMinor) / wholeMinor;
}
