import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { moveMoney } from '../events/money-transaction.ts';
import { toMajorNumber } from '../money/money.ts';
import { effectiveHoldState } from './hold-states.ts';
import { type Hold, type HoldOwner, closeHold, findHold, releaseHeld } from './holds-store.ts';

/** Holds released per run of the background job; a backlog drains over the next runs. */
export const HOLD_EXPIRY_BATCH_MAX = 500;
/** Lapsed holds of one tenant released on the spot when they stand between a request and its funds. */
const LAPSED_RELEASE_BATCH_MAX = 100;

/**
 * The background job: release holds past their expiry. Safe on many instances: each hold is claimed by
 * a guarded update (`state = 'held' AND expires_at_ms <= now`) in its own DB transaction with the release
 * of its funds, so whoever loses the claim — another instance, a capture, a void — changes nothing.
 */
export async function expireHolds(ctx: Ctx): Promise<number> {
  const nowMs = ctx.nowMs();
  const due = await ctx.store.db.selectFrom('holds').select(['id', 'tenant_id'])
    .where('state', '=', 'held')
    .where('expires_at_ms', '<=', BigInt(nowMs))
    .orderBy('expires_at_ms')
    .limit(HOLD_EXPIRY_BATCH_MAX)
    .execute();
  const expired = await expireEach(ctx, due, nowMs);
  if (expired > 0) ctx.log.info({ expired, due: due.length }, 'holds expired');
  return expired;
}

/** One transaction per hold: it locks one hold, then one wallet, like every other path. */
async function expireEach(ctx: Ctx, holds: ReadonlyArray<{ id: string; tenant_id: string }>, nowMs: number): Promise<number> {
  let expired = 0;
  for (const hold of holds) if (await expireHold(ctx, hold.id, hold.tenant_id, nowMs)) expired += 1;
  return expired;
}

/** Claims one lapsed hold and gives its reservation back; false if it was no longer held (or not lapsed). */
export async function expireHold(ctx: Ctx, holdId: string, tenantId: string, nowMs: number): Promise<boolean> {
  const once = await moveMoney(ctx, async (m) => {
    const hold = await closeHold(m.db, holdId, null, 'expired', nowMs);
    if (!hold) return false;
    const wallet = await releaseHeld(m.db, hold.tenantId, hold.amountMinor, nowMs);
    await m.walletMoved({ tenantId: hold.tenantId, currency: hold.currency, availableDeltaMinor: hold.amountMinor, after: wallet, transaction: null });
    await m.emit({ type: 'hold.expired', tenantId: hold.tenantId, data: holdExpiredData(hold) });
    return true;
  }, { key: tenantId });
  return once.created && once.value;
}

/** `hold.expired` data: the hold whose reservation went back to the available balance. */
function holdExpiredData(hold: Hold): Record<string, unknown> {
  return {
    holdId: hold.id, numberId: hold.numberId, currency: hold.currency, amount: toMajorNumber(hold.amountMinor, hold.currency),
    description: hold.description, metadata: hold.metadata, expiresAt: new Date(hold.expiresAtMs).toISOString(),
  };
}

/** Releases one tenant's lapsed holds now, rather than when the job comes round. */
export async function expireLapsedHolds(ctx: Ctx, tenantId: string): Promise<number> {
  const nowMs = ctx.nowMs();
  const due = await ctx.store.db.selectFrom('holds').select(['id', 'tenant_id'])
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'held')
    .where('expires_at_ms', '<=', BigInt(nowMs))
    .limit(LAPSED_RELEASE_BATCH_MAX)
    .execute();
  return expireEach(ctx, due, nowMs);
}

/**
 * Runs a spend; if it is refused for insufficient funds while lapsed holds still reserve part of the
 * balance, releases them and tries once more. The refusal path only: a success costs nothing extra.
 */
export async function releasingLapsedHolds<T>(ctx: Ctx, tenantId: string, spend: () => Promise<T>): Promise<T> {
  try {
    return await spend();
  } catch (err) {
    if (!(err instanceof PurseError) || err.code !== 'INSUFFICIENT_FUNDS') throw err;
    if ((await expireLapsedHolds(ctx, tenantId)) === 0) throw err;
    return spend();
  }
}

/**
 * A hold as it stands after a refused capture or void: read, and if it lapsed while still `held`, expired
 * first (whoever wins that claim), so the caller learns the final state and the funds are free again.
 */
export async function settledHold(ctx: Ctx, owner: HoldOwner, holdId: string, nowMs: number): Promise<Hold> {
  const hold = await findHold(ctx.store.db, owner, holdId);
  if (!hold) throw new PurseError('NOT_FOUND');
  if (effectiveHoldState(hold.state, hold.expiresAtMs, nowMs) === hold.state) return hold;
  await expireHold(ctx, hold.id, hold.tenantId, nowMs);
  const after = await findHold(ctx.store.db, owner, holdId);
  if (!after) throw new Error(`Invariant violated: hold ${holdId} vanished`);
  return after;
}
