import { assert } from '../errors/purse-error.ts';
import type { Db } from '../store/db.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';
import { TENANT_CUSTOMER_COLUMNS, type TenantCustomer } from '../customers/ensure-customer.ts';
import type { CheckoutOrderRow } from '../store/schema.ts';
import { type OrderState, type Purpose, isOrderState, isPurpose, judgeTransition, recordsAttempts } from './order-states.ts';
import type { Logger } from '../context.ts';

/** An order row whose purpose and state were checked against the state machine when read. */
export type Order = Omit<CheckoutOrderRow, 'purpose' | 'state'> & { purpose: Purpose; state: OrderState };

/** The guard at the database edge: an unknown purpose or state is a corrupt row, never a default. */
export function toOrder(row: CheckoutOrderRow): Order {
  const { purpose, state } = row;
  assert(isPurpose(purpose), `order ${row.id} has a known purpose (${purpose})`);
  assert(isOrderState(purpose, state), `order ${row.id} has a known ${purpose} state (${state})`);
  return { ...row, purpose, state };
}

export async function findOrder(db: Db, orderId: string): Promise<Order | undefined> {
  const row = await db.selectFrom('checkout_orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  return row && toOrder(row);
}

/** Every column, in the precompiled insert's order; `satisfies` makes a column added to the row type a compile error here. */
const ORDER_COLUMNS = Object.keys({
  id: 1, tenant_id: 1, purpose: 1, state: 1, amount_minor: 1, currency: 1, success_url: 1, cancel_url: 1, checkout_url: 1,
  stripe_customer_id: 1, stripe_session_id: 1, stripe_payment_intent_id: 1, stripe_setup_intent_id: 1, failure_code: 1,
  failure_message: 1, ledger_transaction_id: 1, expires_at_ms: 1, created_at_ms: 1, updated_at_ms: 1, completed_at_ms: 1,
} satisfies Record<keyof CheckoutOrderRow, 1>) as Array<keyof CheckoutOrderRow>;

/**
 * A new order, one precompiled statement (checkout creation's first commit), answering with the tenant's
 * stored Stripe customer as of that write: the read the Stripe call needs next, without a round trip of its own.
 */
export async function insertOrderRow(db: Db, order: CheckoutOrderRow): Promise<TenantCustomer> {
  const text = precompiled(db, 'checkout_orders:insert', () => {
    const tenantColumn = (column: keyof TenantCustomer) => `(select ${column} from tenants where id = checkout_orders.tenant_id) as ${column}`;
    return `insert into checkout_orders (${ORDER_COLUMNS.join(', ')}) values (${ORDER_COLUMNS.map(() => '?').join(', ')})
      returning ${TENANT_CUSTOMER_COLUMNS.map(tenantColumn).join(', ')}`;
  });
  const row = (await runPrecompiled<TenantCustomer>(db, text, ORDER_COLUMNS.map((column) => order[column]))).rows[0];
  assert(row?.name != null, `order ${order.id} was written for an existing tenant`);
  return row;
}

/** The Stripe session an order's checkout page is; whatever its state (a webhook may already have moved it). */
export async function recordOrderSession(db: Db, orderId: string, session: { sessionId: string; url: string; customerId: string }, nowMs: number): Promise<void> {
  const text = precompiled(db, 'checkout_orders:session', () =>
    'update checkout_orders set stripe_session_id = ?, checkout_url = ?, stripe_customer_id = ?, updated_at_ms = ? where id = ?');
  await runPrecompiled(db, text, [session.sessionId, session.url, session.customerId, BigInt(nowMs), orderId]);
}

/** Inside a transaction: the order row, locked on PostgreSQL so concurrent events on one order serialise. */
export async function lockOrder(db: Db, dialect: 'sqlite' | 'postgres', orderId: string): Promise<Order | undefined> {
  const query = db.selectFrom('checkout_orders').selectAll().where('id', '=', orderId);
  // SQLite has no FOR UPDATE; its write transactions are already serialised.
  const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  return row && toOrder(row);
}

export type OrderPatch = Partial<Pick<CheckoutOrderRow,
  'stripe_session_id' | 'stripe_payment_intent_id' | 'stripe_setup_intent_id' | 'failure_code' | 'failure_message' |
  'ledger_transaction_id' | 'completed_at_ms' | 'checkout_url' | 'expires_at_ms' | 'stripe_customer_id'>>;

/**
 * Applies one state-machine step. Returns whether the state changed; a repeat or a refused move
 * leaves the row as it was (a refused one is logged, since it means events disagree).
 */
export async function moveOrder(db: Db, log: Logger, order: Order, to: OrderState, nowMs: number, patch: OrderPatch = {}): Promise<boolean> {
  const verdict = judgeTransition(order.purpose, order.state, to);
  if (verdict === 'refused') {
    log.warn({ orderId: order.id, from: order.state, to }, 'order transition refused');
    return false;
  }
  if (verdict === 'repeat') return false;
  await writeOrder(db, order, { ...patch, state: to }, nowMs);
  order.state = to;
  return true;
}

/** Records a failed attempt without a move, where the machine says the state only records attempts. */
export async function recordOrderAttempt(db: Db, order: Order, nowMs: number, patch: OrderPatch): Promise<boolean> {
  if (!recordsAttempts(order.purpose, order.state)) return false;
  await writeOrder(db, order, patch, nowMs);
  return true;
}

async function writeOrder(db: Db, order: Order, set: OrderPatch & { state?: OrderState }, nowMs: number): Promise<void> {
  const result = await db.updateTable('checkout_orders').set({ ...set, updated_at_ms: BigInt(nowMs) })
    .where('id', '=', order.id).where('state', '=', order.state).executeTakeFirst();
  if (result.numUpdatedRows !== 1n) throw new Error(`Invariant violated: order ${order.id} changed under a lock`);
}
