import type { CardHook } from '../context.ts';
import type { Db } from '../store/db.ts';
import { armTrigger, cancelAttempts, configState, loadConfig, moveConfig, rearmIfActive } from './config-store.ts';

/**
 * Removing the last card pauses an active auto top-up (`pausedReason: "no_payment_method"`): there is
 * nothing to charge. A pending attempt is canceled; one already being charged finishes on its own.
 */
export async function pauseForNoCard(trx: Db, tenantId: string, nowMs: number): Promise<boolean> {
  const config = await loadConfig(trx, tenantId);
  if (!config || configState(config) !== 'active') return false;
  await moveConfig(trx, tenantId, { from: ['active'], to: 'paused', nowMs, patch: { paused_reason: 'no_payment_method', retry_at_ms: null } });
  await cancelAttempts(trx, tenantId, 'pending', nowMs);
  await armTrigger(trx, tenantId, null);
  return true;
}

/** A card saved while auto top-up was paused for want of one resumes it. */
export async function resumeForNewCard(trx: Db, tenantId: string, nowMs: number): Promise<boolean> {
  const resumed = await moveConfig(trx, tenantId, { from: ['paused'], to: 'active', nowMs, patch: { paused_reason: null }, only: { paused_reason: 'no_payment_method' } });
  if (!resumed) return false;
  await rearmIfActive(trx, tenantId);
  return true;
}

/** Auto top-up's part in a card change (Ctx.cardHooks): a new card resumes it, the last card gone pauses it. */
export const AUTO_TOPUP_CARD_HOOK: CardHook = {
  cardSaved: async (trx, tenantId, nowMs) => {
    await resumeForNewCard(trx, tenantId, nowMs);
  },
  lastCardRemoved: async (trx, tenantId, nowMs) => {
    await pauseForNoCard(trx, tenantId, nowMs);
  },
};
