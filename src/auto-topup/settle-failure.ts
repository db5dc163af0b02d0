import type { Ctx } from '../context.ts';
import type { Db } from '../store/db.ts';
import { type AttemptRow, loadAttempt, moveConfig } from './config-store.ts';
import { emitAutoTopupEvent } from './events.ts';
import { createRecoverySession } from './recovery.ts';
import { moveAttempt } from './settle-attempt.ts';
import { retryDelayAfter } from './states.ts';

export interface ChargeFailure {
  code: string;
  message: string;
}

const FAILURE_MESSAGE_LENGTH_MAX = 500;

/**
 * A declined charge: the attempt fails and auto top-up schedules a retry (1 h, 6 h, 24 h) that stands in for
 * new triggers; the failure after the last retry disables it. Applied once whether the confirm response or
 * `payment_intent.payment_failed` brings it (the guarded move), with its events in the same commit.
 */
export async function failAttempt(ctx: Ctx, attemptId: string, failure: ChargeFailure, paymentIntentId: string | null): Promise<'failed' | 'disabled' | 'unchanged'> {
  const attempt = await loadAttempt(ctx.store.db, attemptId);
  if (!attempt) return 'unchanged';
  return ctx.store.transact(async (trx) => {
    const nowMs = ctx.nowMs();
    const patch = { failure_code: failure.code, failure_message: failure.message.slice(0, FAILURE_MESSAGE_LENGTH_MAX), payment_intent_id: paymentIntentId };
    if (!(await moveAttempt(trx, attempt.id, 'failed', nowMs, patch))) return 'unchanged' as const;
    const failures = await countFailure(trx, attempt.tenant_id);
    const delayMs = retryDelayAfter(failures);
    const eventData = { failure, paymentIntentId, consecutiveFailures: failures };
    await emitAutoTopupEvent(trx, 'auto_topup.failed', attempt, { ...eventData, retryAt: delayMs === null ? null : new Date(nowMs + delayMs).toISOString() }, nowMs);
    if (delayMs !== null) {
      await trx.updateTable('auto_topup_configs').set({ retry_at_ms: BigInt(nowMs + delayMs), updated_at_ms: BigInt(nowMs) })
        .where('tenant_id', '=', attempt.tenant_id).where('state', '=', 'active').execute();
      return 'failed' as const;
    }
    const disabled = await moveConfig(trx, attempt.tenant_id, { from: ['active'], to: 'disabled', nowMs, patch: { retry_at_ms: null } });
    if (disabled) await emitAutoTopupEvent(trx, 'auto_topup.disabled', attempt, eventData, nowMs);
    return 'disabled' as const;
  }, { key: attempt.tenant_id });
}

async function countFailure(trx: Db, tenantId: string): Promise<number> {
  await trx.updateTable('auto_topup_configs').set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1n) }))
    .where('tenant_id', '=', tenantId).execute();
  const row = await trx.selectFrom('auto_topup_configs').select('consecutive_failures').where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(row?.consecutive_failures ?? 1n);
}

/**
 * The bank wants the customer to authenticate: the attempt waits (`action_required`) with a recovery
 * Checkout page for the same amount that saves the card for off-session use, and auto top-up pauses
 * (`pausedReason: "authentication_required"`). The page is created first, outside any transaction, with
 * an idempotency key derived from the attempt, so a repeat gets the same page.
 */
export async function requireAction(ctx: Ctx, attempt: AttemptRow, failure: ChargeFailure, paymentIntentId: string | null): Promise<'action_required' | 'unchanged'> {
  const recovery = await createRecoverySession(ctx, attempt);
  return ctx.store.transact(async (trx) => {
    const nowMs = ctx.nowMs();
    const patch = {
      failure_code: failure.code, failure_message: failure.message.slice(0, FAILURE_MESSAGE_LENGTH_MAX), payment_intent_id: paymentIntentId,
      recovery_session_id: recovery.sessionId, recovery_url: recovery.url, claimed_until_ms: null,
    };
    if (!(await moveAttempt(trx, attempt.id, 'action_required', nowMs, patch))) return 'unchanged' as const;
    await moveConfig(trx, attempt.tenant_id, { from: ['active'], to: 'paused', nowMs, patch: { paused_reason: 'authentication_required', recovery_attempt_id: attempt.id, retry_at_ms: null } });
    await emitAutoTopupEvent(trx, 'auto_topup.action_required', attempt, { failure, paymentIntentId, recoveryUrl: recovery.url }, nowMs);
    return 'action_required' as const;
  }, { key: attempt.tenant_id });
}
