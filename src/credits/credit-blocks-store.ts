import type { Selectable } from 'kysely';
import { assert } from '../errors/purse-error.ts';
import { toMajorNumber } from '../money/money.ts';
import type { Db } from '../store/db.ts';
import type { CreditBlockRow } from '../store/schema.ts';

export type BlockRow = Selectable<CreditBlockRow>;
export type BlockStatus = 'active' | 'expired' | 'depleted' | 'voided';

export interface CreditBlockView {
  id: string;
  category: string;
  currency: string;
  amount: number;
  remaining: number;
  costBasis: number | null;
  priority: number;
  expiresAt: string | null;
  createdAt: string;
  status: BlockStatus;
  source: { orderId?: string; attemptId?: string; reason?: string };
}

export async function readBlockByTransaction(db: Db, transactionId: string): Promise<BlockRow> {
  const row = await db.selectFrom('credit_blocks').selectAll().where('source_transaction_id', '=', transactionId).executeTakeFirst();
  assert(row, `transaction ${transactionId} created a credit block`);
  return row;
}

export function blockStatus(row: BlockRow): BlockStatus {
  if (row.state === 'expired' || row.state === 'voided') return row.state;
  return BigInt(row.remaining_minor) > 0n ? 'active' : 'depleted';
}

const iso = (ms: bigint | number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function toBlockView(row: BlockRow): CreditBlockView {
  const c = row.currency;
  const source = row.order_id ? { orderId: row.order_id } : row.attempt_id ? { attemptId: row.attempt_id } : { reason: row.reason ?? row.category };
  return {
    id: row.id, category: row.category, currency: c,
    amount: toMajorNumber(BigInt(row.amount_minor), c), remaining: toMajorNumber(BigInt(row.remaining_minor), c),
    costBasis: row.cost_basis_minor === null ? null : toMajorNumber(BigInt(row.cost_basis_minor), c),
    priority: Number(row.priority), expiresAt: iso(row.expires_at_ms), createdAt: iso(row.created_at_ms) ?? '',
    status: blockStatus(row), source,
  };
}

/** The fields every credit.* event carries. */
export function blockEventData(row: BlockRow): Record<string, unknown> {
  const c = row.currency;
  return {
    blockId: row.id, category: row.category, currency: c,
    amount: toMajorNumber(BigInt(row.amount_minor), c), remaining: toMajorNumber(BigInt(row.remaining_minor), c), expiresAt: iso(row.expires_at_ms),
  };
}
