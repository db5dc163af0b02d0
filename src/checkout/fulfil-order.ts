import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import type { EventType } from '../events/catalog.ts';
import { emit } from '../events/emit.ts';
import type { MoneyTrx } from '../events/money-moved.ts';
import { moveMoney } from '../events/money-transaction.ts';
import { toMajorNumber } from '../money/money.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { lockOrder, moveOrder, type Order, type OrderPatch, recordOrderAttempt } from './orders-store.ts';
import { type OrderState, judgeTransition } from './order-states.ts';
import type { Ctx } from '../context.ts';
import { type ChargeFacts, noteChargeFacts } from '../receipts/charge-facts.ts';

export type FulfilOutcome = 'credited' | 'already_credited' | 'unknown_order' | 'refused';

export function topupReference(orderId: string): string {
  return `topup:${orderId}`;
}

/**
 * Credits a paid top-up exactly once: the ledger transaction (reference `topup:{orderId}`) and the
 * order's move to `paid` commit together, so no number, order or timing of deliveries can credit twice
 * or mark paid without crediting. The amount is the order's own, never what the event says.
 */
export async function fulfilOrder(ctx: Ctx, orderId: string, patch: OrderPatch, charge?: ChargeFacts): Promise<FulfilOutcome> {
  const once = await moveMoney(ctx, async (m): Promise<FulfilOutcome> => {
    const order = await lockOrder(m.db, ctx.store.dialect, orderId);
    if (!order) return 'unknown_order';
    return creditLockedOrder(ctx, m, order, patch, charge);
  }).catch((err) => {
    if (err instanceof RefusedMove) return { created: true as const, value: 'refused' as const };
    throw err;
  });
  return once.created ? once.value : 'already_credited';
}

/**
 * fulfilOrder's work, for a caller that already holds the money transaction and the order's lock (the
 * inbox's one-commit path). A move the machine refuses throws RefusedMove, so the caller's whole
 * transaction — the credit with it — rolls back; so does a repeated ledger reference (DuplicateReference).
 */
export async function creditLockedOrder(ctx: Ctx, m: MoneyTrx, order: Order, patch: OrderPatch, charge?: ChargeFacts): Promise<'credited' | 'already_credited'> {
  if (order.state === 'paid') return 'already_credited';
  const input = creditInput(order);
  // The receipt (written by the receipt hook inside m.post) carries the charge's facts from its insert.
  if (charge) noteChargeFacts(m, input.reference, charge);
  const { transaction } = await m.post(input);
  const moved = await moveOrder(m.db, ctx.log, order, 'paid', m.nowMs, { ...patch, ledger_transaction_id: transaction.id, completed_at_ms: BigInt(m.nowMs) });
  if (!moved) throw new RefusedMove();
  await m.emit({ type: 'topup.succeeded', tenantId: order.tenant_id, data: { ...topupData(order), transactionId: transaction.id } });
  return 'credited';
}

export class RefusedMove extends Error {}

function creditInput(order: Order) {
  if (order.amount_minor === null || order.amount_minor <= 0n) throw new Error(`Invariant violated: top-up ${order.id} has a positive amount`);
  return {
    reference: topupReference(order.id),
    kind: 'topup' as const,
    tenantId: order.tenant_id,
    currency: order.currency,
    description: 'Wallet top-up (Stripe Checkout)',
    metadata: { orderId: order.id },
    postings: [
      { accountId: walletAccountId(order.tenant_id), amountMinor: order.amount_minor },
      { accountId: systemAccountId('stripe_clearing', order.currency), amountMinor: -order.amount_minor },
    ],
    overdraft: 'allow' as const,
  };
}

/** Top-up states that tell the tenant's systems something, and the event each sends (in the same transaction). */
const TOPUP_STATE_EVENTS: Partial<Record<OrderState, EventType>> = { failed: 'topup.failed', expired: 'topup.expired' };

/** A state move without money (processing, failed, expired, completed): locked, judged, applied. */
export async function settleOrder(ctx: Ctx, orderId: string, to: OrderState, patch: OrderPatch = {}): Promise<'moved' | 'unchanged' | 'unknown_order'> {
  return ctx.store.db.transaction().execute(async (trx) => {
    const order = await lockOrder(trx, ctx.store.dialect, orderId);
    if (!order) return 'unknown_order';
    return settleLockedOrder(trx, ctx, order, to, patch);
  });
}

/** settleOrder's work, for a caller that already holds the transaction and the order's lock. */
export async function settleLockedOrder(trx: Kysely<Database>, ctx: Ctx, order: Order, to: OrderState, patch: OrderPatch = {}): Promise<'moved' | 'unchanged'> {
  return (await moveAndTell(trx, ctx, order, to, patch)) ? 'moved' : 'unchanged';
}

/**
 * A failed payment attempt: where the machine says the state only records attempts (an open page the
 * customer may retry on), the failure is noted; where it allows a move to failed, the order fails.
 */
export async function recordFailedAttempt(ctx: Ctx, orderId: string, failPatch: OrderPatch, attemptPatch: OrderPatch): Promise<'moved' | 'recorded_attempt' | 'unchanged' | 'unknown_order'> {
  return ctx.store.db.transaction().execute(async (trx) => {
    const order = await lockOrder(trx, ctx.store.dialect, orderId);
    if (!order) return 'unknown_order';
    if (await recordOrderAttempt(trx, order, ctx.nowMs(), attemptPatch)) return 'recorded_attempt';
    if (judgeTransition(order.purpose, order.state, 'failed') !== 'apply') return 'unchanged';
    return (await moveAndTell(trx, ctx, order, 'failed', failPatch)) ? 'moved' : 'unchanged';
  });
}

/** The move, and in the same transaction the event it means for the tenant's systems, if any. */
async function moveAndTell(trx: Kysely<Database>, ctx: Ctx, order: Order, to: OrderState, patch: OrderPatch): Promise<boolean> {
  const nowMs = ctx.nowMs();
  if (!(await moveOrder(trx, ctx.log, order, to, nowMs, patch))) return false;
  const type = order.purpose === 'wallet_topup' ? TOPUP_STATE_EVENTS[to] : undefined;
  if (type) await emit(trx, { type, tenantId: order.tenant_id, data: { ...topupData(order), ...failureData(type, patch) } }, nowMs);
  return true;
}

function failureData(type: EventType, patch: OrderPatch): Record<string, unknown> {
  if (type !== 'topup.failed') return {};
  return { failure: patch.failure_code ? { code: patch.failure_code, message: patch.failure_message ?? null } : null };
}

/** The `data` every `topup.*` event starts with. */
export function topupData(order: Order): Record<string, unknown> {
  return { orderId: order.id, amount: order.amount_minor === null ? null : toMajorNumber(order.amount_minor, order.currency), currency: order.currency };
}
