import type { Db } from '../store/db.ts';
import type { CheckoutOrderRow } from '../store/schema.ts';
import { type OrderState, type Purpose, judgeTransition } from './order-states.ts';
import type { Logger } from '../context.ts';

export async function findOrder(db: Db, orderId: string): Promise<CheckoutOrderRow | undefined> {
  return db.selectFrom('checkout_orders').selectAll().where('id', '=', orderId).executeTakeFirst();
}

/** Inside a transaction: the order row, locked on PostgreSQL so concurrent events on one order serialise. */
export async function lockOrder(db: Db, dialect: 'sqlite' | 'postgres', orderId: string): Promise<CheckoutOrderRow | undefined> {
  const query = db.selectFrom('checkout_orders').selectAll().where('id', '=', orderId);
  // SQLite has no FOR UPDATE; its write transactions are already serialised.
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

export type OrderPatch = Partial<Pick<CheckoutOrderRow,
  'stripe_session_id' | 'stripe_payment_intent_id' | 'stripe_setup_intent_id' | 'failure_code' | 'failure_message' |
  'ledger_transaction_id' | 'completed_at_ms' | 'checkout_url' | 'expires_at_ms' | 'stripe_customer_id'>>;

/**
 * Applies one state-machine step. Returns whether the state changed; a repeat or a refused move
 * leaves the row as it was (a refused one is logged, since it means events disagree).
 */
export async function moveOrder(
  db: Db,
  log: Logger,
  order: CheckoutOrderRow,
  to: OrderState,
  nowMs: number,
  patch: OrderPatch = {},
): Promise<boolean> {
  const verdict = judgeTransition(order.purpose as Purpose, order.state as OrderState, to);
  if (verdict === 'refused') {
    log.warn({ orderId: order.id, from: order.state, to }, 'order transition refused');
    return false;
  }
  if (verdict === 'repeat') return false;
  const result = await db
    .updateTable('checkout_orders')
    .set({ ...patch, state: to, updated_at_ms: BigInt(nowMs) })
    .where('id', '=', order.id)
    .where('state', '=', order.state)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) throw new Error(`Invariant violated: order ${order.id} changed under a lock`);
  order.state = to;
  return true;
}
