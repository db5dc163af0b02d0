import type { Db } from '../store/db.ts';
import { armTrigger, configState, loadConfig, rearmIfActive } from './config-store.ts';

/**
 * Removing the last card pauses an active auto top-up (`pausedReason: "no_payment_method"`): there is
 * nothing to charge. A pending attempt is canceled; one already being charged finishes on its own.
 */
export async function pauseForNoCard(trx: Db, tenantId: string, nowMs: number): Promise<boolean> {
  const config = await loadConfig(trx, tenantId);
  if (!config || configState(config) !== 'active') return false;
  await trx.updateTable('auto_topup_configs').set({ state: 'paused', paused_reason: 'no_payment_method', retry_at_ms: null, updated_at_ms: BigInt(nowMs) })
    .where('tenant_id', '=', tenantId).where('state', '=', 'active').execute();
  await trx.updateTable('auto_topup_attempts').set({ state: 'canceled', updated_at_ms: BigInt(nowMs), completed_at_ms: BigInt(nowMs) })
    .where('tenant_id', '=', tenantId).where('state', '=', 'pending').execute();
  await armTrigger(trx, tenantId, null);
  return true;
}

/** A card saved while auto top-up was paused for want of one resumes it. */
export async function resumeForNewCard(trx: Db, tenantId: string, nowMs: number): Promise<boolean> {
  const resumed = await trx.updateTable('auto_topup_configs').set({ state: 'active', paused_reason: null, updated_at_ms: BigInt(nowMs) })
    .where('tenant_id', '=', tenantId).where('state', '=', 'paused').where('paused_reason', '=', 'no_payment_method').executeTakeFirst();
  if (resumed.numUpdatedRows !== 1n) return false;
  await rearmIfActive(trx, tenantId);
  return true;
}
