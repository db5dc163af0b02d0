import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import type { TransactionInput } from '../ledger/post-transaction.ts';
import { lockOrder } from '../checkout/orders-store.ts';
import type { Db } from '../store/db.ts';
import { type CreditedOrder, creditedOrderOf, shareOfCredit } from './credited-order.ts';
import type { Ctx } from '../context.ts';
import { moveMoney } from '../events/money-transaction.ts';
import { toMajorNumber } from '../money/money.ts';

/** What the provider says about a refunded charge: cumulative, as Stripe's `amount_refunded` is. */
export interface RefundFacts {
  chargeId: string;
  orderId: string | null;
  chargeAmountMinor: bigint;
  amountRefundedMinor: bigint;
}

export type ClawbackOutcome = 'clawed_back' | 'already_clawed_back' | 'nothing_new' | 'not_ours' | 'unknown_order' | 'not_a_topup';

export function refundReference(chargeId: string, amountRefundedMinor: bigint): string {
  return `refund:${chargeId}:${amountRefundedMinor}`;
}

/**
 * charge.refunded (SPEC §8.4): gives back the credited share of what has been refunded so far, minus what
 * was already clawed back for the charge. One ledger transaction per new refunded amount (reference
 * `refund:{chargeId}:{amount_refunded}`), taken even below zero: the money has left the operator's Stripe
 * balance. Duplicates replay the reference; an older cumulative figure arriving late finds nothing new.
 */
export async function clawBackRefund(ctx: Ctx, f: RefundFacts): Promise<ClawbackOutcome> {
  const order = await creditedOrderOf(ctx, f.orderId);
  if (typeof order === 'string') return order;
  // Through the money seam: a clawback crossing the low-balance line or reaching zero sends wallet.low_balance /
  // wallet.depleted like any debit, but (a clawback kind) never starts an auto top-up.
  const once = await moveMoney(ctx, async (m): Promise<ClawbackOutcome> => {
    const trx = m.db;
    // The order row is the lock every clawback of its charge queues on, so two refunds never both see "nothing yet".
    await lockOrder(trx, ctx.store.dialect, order.id);
    const dueMinor = shareOfCredit(order.amount_minor, f.amountRefundedMinor, f.chargeAmountMinor) - (await clawedBackOf(trx, f.chargeId));
    if (dueMinor <= 0n) return 'nothing_new';
    const nowMs = m.nowMs;
    const { transaction } = await m.post(clawbackInput(order, f, dueMinor));
    await trx.insertInto('refund_clawbacks').values({
      reference: transaction.reference, charge_id: f.chargeId, order_id: order.id, tenant_id: order.tenant_id,
      amount_refunded_minor: f.amountRefundedMinor, clawed_back_minor: dueMinor, transaction_id: transaction.id, created_at_ms: BigInt(nowMs),
    }).execute();
    await m.emit({ type: 'refund.clawed_back', tenantId: order.tenant_id, data: {
      orderId: order.id, chargeId: f.chargeId, currency: order.currency, transactionId: transaction.id,
      amountRefunded: toMajorNumber(f.amountRefundedMinor, order.currency), clawedBack: toMajorNumber(dueMinor, order.currency),
    } });
    return 'clawed_back';
  }, { key: order.tenant_id });
  return once.created ? once.value : 'already_clawed_back';
}

async function clawedBackOf(trx: Db, chargeId: string): Promise<bigint> {
  const row = await trx.selectFrom('refund_clawbacks').select((eb) => eb.fn.sum<bigint | string | null>('clawed_back_minor').as('total'))
    .where('charge_id', '=', chargeId).executeTakeFirst();
  return row?.total == null ? 0n : BigInt(row.total);
}

function clawbackInput(order: CreditedOrder, f: RefundFacts, dueMinor: bigint): TransactionInput {
  return {
    reference: refundReference(f.chargeId, f.amountRefundedMinor),
    kind: 'refund_clawback',
    tenantId: order.tenant_id,
    currency: order.currency,
    description: 'Refund of a top-up (Stripe)',
    metadata: { orderId: order.id, chargeId: f.chargeId, amountRefundedMinor: String(f.amountRefundedMinor) },
    postings: [
      { accountId: walletAccountId(order.tenant_id), amountMinor: -dueMinor },
      { accountId: systemAccountId('refunds', order.currency), amountMinor: dueMinor },
    ],
    overdraft: 'allow',
  };
}
