import { assert } from '../errors/purse-error.ts';
import { WaitingFor } from '../errors/waiting-for.ts';
import { attemptState, loadAttempt } from '../auto-topup/config-store.ts';
import { autoTopupReference } from '../auto-topup/settle-attempt.ts';
import { topupReference } from '../checkout/fulfil-order.ts';
import { findOrder, lockOrder } from '../checkout/orders-store.ts';
import type { ChargeSource } from '../gateway/payment-gateway.ts';
import type { Db } from '../store/db.ts';
import type { Ctx } from '../context.ts';

/**
 * The credit a charge paid for, whichever kind of charge Purse made: a Checkout top-up (its order) or an auto
 * top-up (its attempt; the off-session charge and the recovery page's on-session payment alike). Refunds and
 * disputes take money back from it the same way, whatever object carried the charge.
 */
export interface CreditedCharge {
  kind: 'order' | 'auto_topup';
  /** The order id (cto_…) or the attempt id (atu_…). */
  id: string;
  tenantId: string;
  currency: string;
  creditedMinor: bigint;
  /** The ledger reference of the credit (`topup:{orderId}` / `auto_topup:{attemptId}`). */
  reference: string;
}

export type NoCredit = 'not_ours' | 'unknown_order' | 'not_a_topup' | 'unknown_attempt';

/**
 * The credited top-up behind a charge, or why there is none to take money back from. Throws WaitingFor the
 * credit's reference when the charge is ours but its credit has not landed yet (the event overtook it).
 */
export async function creditedChargeOf(ctx: Ctx, source: ChargeSource): Promise<CreditedCharge | NoCredit> {
  if (source.orderId) return creditedOrder(ctx, source.orderId);
  if (source.attemptId) return creditedAttempt(ctx, source.attemptId, source.tenantId);
  return 'not_ours';
}

async function creditedOrder(ctx: Ctx, orderId: string): Promise<CreditedCharge | NoCredit> {
  const order = await findOrder(ctx.store.db, orderId);
  if (!order) return 'unknown_order';
  if (order.purpose !== 'wallet_topup') return 'not_a_topup';
  const reference = topupReference(order.id);
  if (order.state !== 'paid') throw new WaitingFor(reference, `order ${order.id} is not credited yet`);
  assert(order.amount_minor !== null && order.amount_minor > 0n, `paid top-up ${order.id} has a positive amount`);
  return { kind: 'order', id: order.id, tenantId: order.tenant_id, currency: order.currency, creditedMinor: order.amount_minor, reference };
}

async function creditedAttempt(ctx: Ctx, attemptId: string, tenantId: string | null): Promise<CreditedCharge | NoCredit> {
  const attempt = await loadAttempt(ctx.store.db, attemptId);
  // The charge's metadata names the tenant too: an attempt of another tenant is not this charge's.
  if (!attempt || (tenantId !== null && attempt.tenant_id !== tenantId)) return 'unknown_attempt';
  const reference = autoTopupReference(attempt.id);
  if (attemptState(attempt) !== 'succeeded') throw new WaitingFor(reference, `auto top-up ${attempt.id} is not credited yet`);
  assert(attempt.amount_minor > 0n, `succeeded auto top-up ${attempt.id} has a positive amount`);
  return { kind: 'auto_topup', id: attempt.id, tenantId: attempt.tenant_id, currency: attempt.currency, creditedMinor: attempt.amount_minor, reference };
}

/** The row every clawback and dispute of one credit queues on, so two never both see "nothing taken yet". */
export async function lockCredit(trx: Db, dialect: 'sqlite' | 'postgres', credit: CreditedCharge): Promise<void> {
  if (credit.kind === 'order') {
    assert(await lockOrder(trx, dialect, credit.id), `order ${credit.id} exists under its lock`);
    return;
  }
  // SQLite has no FOR UPDATE; its write transactions are already serialised.
  const query = trx.selectFrom('auto_topup_attempts').select('id').where('id', '=', credit.id);
  assert(await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst(), `attempt ${credit.id} exists under its lock`);
}

/** The two columns a clawback or dispute row names its credit by: exactly one is set. */
export function sourceColumns(credit: CreditedCharge): { order_id: string | null; attempt_id: string | null } {
  return credit.kind === 'order' ? { order_id: credit.id, attempt_id: null } : { order_id: null, attempt_id: credit.id };
}

/** The ids an outgoing event names the credit by (SPEC §8.3 catalog): orderId for a Checkout top-up, attemptId for an auto top-up. */
export function sourceIds(credit: CreditedCharge): { orderId: string | null; attemptId: string | null } {
  return credit.kind === 'order' ? { orderId: credit.id, attemptId: null } : { orderId: null, attemptId: credit.id };
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
