import type { Selectable } from 'kysely';
import { assert } from '../errors/purse-error.ts';
import type { Principal } from '../auth/authenticate.ts';
import { WALLET_STATE_COLUMNS, type WalletState, toWalletState } from '../ledger/wallet-state.ts';
import type { Db } from '../store/db.ts';
import type { HoldRow } from '../store/schema.ts';
import { type HoldState, isHoldState } from './hold-states.ts';

export interface Hold {
  id: string;
  tenantId: string;
  numberId: string | null;
  currency: string;
  state: HoldState;
  amountMinor: bigint;
  capturedMinor: bigint;
  description: string | null;
  metadata: Record<string, string> | null;
  idempotencyKey: string | null;
  captureTransactionId: string | null;
  expiresAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Whose holds a caller may see and act on: its tenant's, and for a number-scoped key only its number's. */
export interface HoldOwner {
  tenantId: string;
  /** Set for a number-scoped key: restricts to that number. Null: every hold of the tenant. */
  numberId: string | null;
}

export function holdOwnerOf(principal: Principal): HoldOwner {
  return { tenantId: principal.tenantId, numberId: principal.scope === 'number' ? principal.numberId : null };
}

export async function findHold(db: Db, owner: HoldOwner, holdId: string): Promise<Hold | undefined> {
  const row = await db.selectFrom('holds').selectAll()
    .where('id', '=', holdId)
    .where('tenant_id', '=', owner.tenantId)
    .$if(owner.numberId !== null, (qb) => qb.where('number_id', '=', owner.numberId))
    .executeTakeFirst();
  return row ? toHold(row) : undefined;
}

export function toHold(row: Selectable<HoldRow>): Hold {
  assert(isHoldState(row.state), `hold ${row.id} has a known state (${row.state})`);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    numberId: row.number_id,
    currency: row.currency,
    state: row.state,
    amountMinor: row.amount_minor,
    capturedMinor: row.captured_minor,
    description: row.description,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, string>),
    idempotencyKey: row.idempotency_key,
    captureTransactionId: row.capture_transaction_id,
    expiresAtMs: Number(row.expires_at_ms),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

/**
 * Reserves funds: held += amount, guarded so that the available balance (balance − held) stays ≥ 0.
 * Undefined when the wallet cannot cover it. The wallet row is the lock every spend of a tenant queues on.
 */
export async function reserveHeld(trx: Db, tenantId: string, currency: string, amountMinor: bigint, nowMs: number): Promise<WalletState | undefined> {
  assert(amountMinor > 0n, 'a reservation is positive');
  const row = await trx.updateTable('wallets')
    .set((eb) => ({ held_minor: eb('held_minor', '+', amountMinor), updated_at_ms: BigInt(nowMs) }))
    .where('tenant_id', '=', tenantId)
    .where('currency', '=', currency)
    .where((eb) => eb(eb('balance_minor', '-', eb.ref('held_minor')), '>=', amountMinor))
    .returning(WALLET_STATE_COLUMNS)
    .executeTakeFirst();
  if (!row) return undefined;
  assert(row.balance_minor - row.held_minor >= 0n, `reserving ${amountMinor} for ${tenantId} left available ≥ 0`);
  return toWalletState(row);
}

/** Gives a hold's reservation back (void, expiry). Held never goes below zero: that would be a lost hold. */
export async function releaseHeld(trx: Db, tenantId: string, amountMinor: bigint, nowMs: number): Promise<WalletState> {
  const row = await trx.updateTable('wallets')
    .set((eb) => ({ held_minor: eb('held_minor', '-', amountMinor), updated_at_ms: BigInt(nowMs) }))
    .where('tenant_id', '=', tenantId)
    .where('held_minor', '>=', amountMinor)
    .returning(WALLET_STATE_COLUMNS)
    .executeTakeFirst();
  assert(row, `wallet of ${tenantId} held at least the ${amountMinor} being released`);
  assert(row.held_minor >= 0n, `wallet of ${tenantId}: held stays ≥ 0`);
  return toWalletState(row);
}

/** What a capture takes: the whole reservation, or a part of it (the rest is released). */
export type CaptureAmount = bigint | 'all';

/**
 * Ends a held hold, guarded: only a hold still `held` moves, and only on the side of its expiry the move
 * allows (capture and void before it, expiry at or after it). Undefined when the guard refused. The row
 * lock taken here comes before the wallet's on every path, so capture, void and expiry never deadlock.
 */
export async function closeHold(
  trx: Db, holdId: string, owner: HoldOwner | null, to: 'captured' | 'voided' | 'expired', nowMs: number, captured?: CaptureAmount,
): Promise<Hold | undefined> {
  assert((to === 'captured') === (captured !== undefined), `hold ${holdId}: only a capture names a captured amount`);
  const row = await trx.updateTable('holds')
    .set((eb) => ({
      state: to,
      captured_minor: captured === undefined ? eb.ref('captured_minor') : captured === 'all' ? eb.ref('amount_minor') : captured,
      updated_at_ms: BigInt(nowMs),
      closed_at_ms: BigInt(nowMs),
    }))
    .where('id', '=', holdId)
    .where('state', '=', 'held')
    .where('expires_at_ms', to === 'expired' ? '<=' : '>', BigInt(nowMs))
    .$if(owner !== null, (qb) => qb.where('tenant_id', '=', owner!.tenantId))
    .$if(owner?.numberId != null, (qb) => qb.where('number_id', '=', owner!.numberId))
    .$if(typeof captured === 'bigint', (qb) => qb.where('amount_minor', '>=', captured as bigint))
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  const hold = toHold(row);
  assert(hold.capturedMinor >= 0n && hold.capturedMinor <= hold.amountMinor, `hold ${holdId}: 0 ≤ captured ≤ held`);
  return hold;
}
