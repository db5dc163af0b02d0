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

/** `GET /v1/billing/wallet`'s `expiring`: the next expiry within this window, what it takes and when. */
export const EXPIRING_WINDOW_MS = 30 * 86_400_000;

export async function expiringSummary(db: Db, tenantId: string, nowMs: number): Promise<{ amount: number; at: string } | null> {
  const next = await db.selectFrom('credit_blocks').select(['expires_at_ms', 'currency'])
    .where('tenant_id', '=', tenantId).where('state', '=', 'active').where('remaining_minor', '>', 0n)
    .where('expires_at_ms', '>', BigInt(nowMs)).where('expires_at_ms', '<=', BigInt(nowMs + EXPIRING_WINDOW_MS))
    .orderBy('expires_at_ms').limit(1).executeTakeFirst();
  if (!next || next.expires_at_ms === null) return null;
  const at = next.expires_at_ms;
  const sum = await db.selectFrom('credit_blocks').select((eb) => eb.fn.sum<bigint | string>('remaining_minor').as('total'))
    .where('tenant_id', '=', tenantId).where('state', '=', 'active').where('expires_at_ms', '=', at).executeTakeFirstOrThrow();
  return { amount: toMajorNumber(BigInt(sum.total), next.currency), at: new Date(Number(at)).toISOString() };
}
