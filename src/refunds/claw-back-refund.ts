import { drawFirstFromCredit } from '../ledger/credit-intents.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import type { TransactionInput } from '../ledger/post-transaction.ts';
import type { ChargeSource } from '../gateway/payment-gateway.ts';
import type { Db } from '../store/db.ts';
import { type CreditedCharge, type NoCredit, creditedChargeOf, lockCredit, shareOfCredit, sourceColumns, sourceIds } from './credited-charge.ts';
import type { Ctx } from '../context.ts';
import { moveMoney } from '../events/money-transaction.ts';
import { toMajorNumber } from '../money/money.ts';

/** What the provider says about a refunded charge: cumulative, as Stripe's `amount_refunded` is. */
export interface RefundFacts extends ChargeSource {
  chargeId: string;
  chargeAmountMinor: bigint;
  amountRefundedMinor: bigint;
}

export type ClawbackOutcome = 'clawed_back' | 'already_clawed_back' | 'nothing_new' | NoCredit;

export function refundReference(chargeId: string, amountRefundedMinor: bigint): string {
  return `refund:${chargeId}:${amountRefundedMinor}`;
}

/**
 * charge.refunded (SPEC §8.4): gives back the credited share of what has been refunded so far, minus what
 * was already clawed back for the charge. One ledger transaction per new refunded amount (reference
 * `refund:{chargeId}:{amount_refunded}`), taken even below zero: the money has left the operator's Stripe
 * balance. Duplicates replay the reference; an older cumulative figure arriving late finds nothing new.
 * Any charge Purse made: a Checkout top-up's or an auto top-up's. Before its credit lands: WaitingFor.
 */
export async function clawBackRefund(ctx: Ctx, f: RefundFacts): Promise<ClawbackOutcome> {
  const credit = await creditedChargeOf(ctx, f);
  if (typeof credit === 'string') return credit;
  // Through the money seam: a clawback crossing the low-balance line or reaching zero sends wallet.low_balance /
  // wallet.depleted like any debit, but (a clawback kind) never starts an auto top-up.
  const once = await moveMoney(ctx, async (m): Promise<ClawbackOutcome> => {
    const trx = m.db;
    await lockCredit(trx, ctx.store.dialect, credit);
    const dueMinor = shareOfCredit(credit.creditedMinor, f.amountRefundedMinor, f.chargeAmountMinor) - (await clawedBackOf(trx, f.chargeId));
    if (dueMinor <= 0n) return 'nothing_new';
    const input = clawbackInput(credit, f, dueMinor);
    await drawFirstFromCredit(trx, input.reference, credit.reference);
    const { transaction } = await m.post(input);
    await trx.insertInto('refund_clawbacks').values({
      reference: transaction.reference, charge_id: f.chargeId, ...sourceColumns(credit), tenant_id: credit.tenantId,
      amount_refunded_minor: f.amountRefundedMinor, clawed_back_minor: dueMinor, transaction_id: transaction.id, created_at_ms: BigInt(m.nowMs),
    }).execute();
    await m.emit({ type: 'refund.clawed_back', tenantId: credit.tenantId, data: {
      ...sourceIds(credit), chargeId: f.chargeId, currency: credit.currency, transactionId: transaction.id,
      amountRefunded: toMajorNumber(f.amountRefundedMinor, credit.currency), clawedBack: toMajorNumber(dueMinor, credit.currency),
    } });
    return 'clawed_back';
  }, { key: credit.tenantId });
  return once.created ? once.value : 'already_clawed_back';
}

async function clawedBackOf(trx: Db, chargeId: string): Promise<bigint> {
  const row = await trx.selectFrom('refund_clawbacks').select((eb) => eb.fn.sum<bigint | string | null>('clawed_back_minor').as('total'))
    .where('charge_id', '=', chargeId).executeTakeFirst();
  return row?.total == null ? 0n : BigInt(row.total);
}

function clawbackInput(credit: CreditedCharge, f: RefundFacts, dueMinor: bigint): TransactionInput {
  const ids = sourceIds(credit);
  return {
    reference: refundReference(f.chargeId, f.amountRefundedMinor),
    kind: 'refund_clawback',
    tenantId: credit.tenantId,
    currency: credit.currency,
    description: credit.kind === 'order' ? 'Refund of a top-up (Stripe)' : 'Refund of an auto top-up (Stripe)',
    metadata: {
      ...(ids.orderId ? { orderId: ids.orderId } : { autoTopupAttemptId: ids.attemptId ?? '' }),
      chargeId: f.chargeId, amountRefundedMinor: String(f.amountRefundedMinor),
    },
    postings: [
      { accountId: walletAccountId(credit.tenantId), amountMinor: -dueMinor },
      { accountId: systemAccountId('refunds', credit.currency), amountMinor: dueMinor },
    ],
    overdraft: 'allow',
  };
}
