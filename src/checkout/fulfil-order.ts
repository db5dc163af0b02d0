import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import type { EventType } from '../events/catalog.ts';
import { emit } from '../events/emit.ts';
import { moveMoney } from '../events/money-transaction.ts';
import { toMajorNumber } from '../money/money.ts';
import type { CheckoutOrderRow } from '../store/schema.ts';
import { lockOrder, moveOrder, type OrderPatch } from './orders-store.ts';
import type { OrderState } from './order-states.ts';
import type { Ctx } from '../context.ts';

export type FulfilOutcome = 'credited' | 'already_credited' | 'unknown_order' | 'refused';

export function topupReference(orderId: string): string {
  return `topup:${orderId}`;
}

/**
 * Credits a paid top-up exactly once: the ledger transaction (reference `topup:{orderId}`) and the
 * order's move to `paid` commit together, so no number, order or timing of deliveries can credit twice
 * or mark paid without crediting. The amount is the order's own, never what the event says.
 */
export async function fulfilOrder(ctx: Ctx, orderId: string, patch: OrderPatch): Promise<FulfilOutcome> {
  const once = await moveMoney(ctx, async (m): Promise<FulfilOutcome> => {
    const { db: trx, nowMs } = m;
    const order = await lockOrder(trx, ctx.store.dialect, orderId);
    if (!order) return 'unknown_order';
    if (order.state === 'paid') return 'already_credited';
    const { transaction } = await m.post(creditInput(order));
    const moved = await moveOrder(trx, ctx.log, order, 'paid', nowMs, { ...patch, ledger_transaction_id: transaction.id, completed_at_ms: BigInt(nowMs) });
    if (!moved) throw new RefusedMove();
    await m.emit({ type: 'topup.succeeded', tenantId: order.tenant_id, data: { ...topupData(order), transactionId: transaction.id } });
    return 'credited';
  }).catch((err) => {
    if (err instanceof RefusedMove) return { created: true as const, value: 'refused' as const };
    throw err;
  });
  return once.created ? once.value : 'already_credited';
}

class RefusedMove extends Error {}

function creditInput(order: CheckoutOrderRow) {
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
    const nowMs = ctx.nowMs();
    if (!(await moveOrder(trx, ctx.log, order, to, nowMs, patch))) return 'unchanged';
    const type = order.purpose === 'wallet_topup' ? TOPUP_STATE_EVENTS[to] : undefined;
    if (type) await emit(trx, { type, tenantId: order.tenant_id, data: { ...topupData(order), ...failureData(type, patch) } }, nowMs);
    return 'moved';
  });
}

function failureData(type: EventType, patch: OrderPatch): Record<string, unknown> {
  if (type !== 'topup.failed') return {};
  return { failure: patch.failure_code ? { code: patch.failure_code, message: patch.failure_message ?? null } : null };
}

/** The `data` every `topup.*` event starts with. */
export function topupData(order: CheckoutOrderRow): Record<string, unknown> {
  return { orderId: order.id, amount: order.amount_minor === null ? null : toMajorNumber(order.amount_minor, order.currency), currency: order.currency };
}
