import type { Ctx } from '../context.ts';
import { emit } from '../events/emit.ts';
import type { Delivery } from './claim-deliveries.ts';
import { type Endpoint, refreshDebitedSubscriptions } from './endpoints-store.ts';
import type { Db } from '../store/db.ts';
import { type AttemptVerdict, ENDPOINT_DISABLE_AFTER_MS, judgeAttempt } from './retry-schedule.ts';
import { LAST_ERROR_LENGTH_MAX, type SendOutcome } from './send-delivery.ts';

export interface Attempt {
  delivery: Delivery;
  outcome: SendOutcome;
}

/**
 * Writes what a batch of attempts to one endpoint achieved, in one transaction (one commit for the batch,
 * not one per delivery), each guarded by this worker's claim (a worker whose claim lapsed and was taken
 * over writes nothing). A success clears the endpoint's failing mark; a batch of failures only marks it
 * failing since now (if it was not already); one failing for ENDPOINT_DISABLE_AFTER_MS is disabled,
 * logged, and announced by an event, together.
 */
export async function recordAttempts(ctx: Ctx, endpoint: Endpoint, attempts: readonly Attempt[], random: () => number = Math.random): Promise<void> {
  if (attempts.length === 0) return;
  const nowMs = ctx.nowMs();
  const verdicts = attempts.map((a) => judgeAttempt(a.outcome.ok, Number(a.delivery.attempts + 1n), Number(a.delivery.created_at_ms), nowMs, random()));
  const disabled = await ctx.store.transact(async (trx) => {
    let anyOk = false;
    let anyFailed = false;
    for (const [index, { delivery, outcome }] of attempts.entries()) {
      if (!(await writeAttempt(trx, delivery, outcome, verdicts[index]!, nowMs))) continue;
      if (outcome.ok) anyOk = true;
      else anyFailed = true;
    }
    if (anyOk) {
      await trx.updateTable('webhook_endpoints').set({ failing_since_ms: null }).where('id', '=', endpoint.id).where('failing_since_ms', 'is not', null).execute();
      return false;
    }
    return anyFailed && disableIfFailingTooLong(trx, endpoint, nowMs);
  });
  if (disabled) {
    const lastError = attempts.at(-1)?.outcome.error;
    ctx.log.warn({ endpointId: endpoint.id, tenantId: endpoint.tenant_id, lastError }, 'webhook endpoint disabled after failing for too long');
  }
}

async function writeAttempt(trx: Db, delivery: Delivery, outcome: SendOutcome, verdict: AttemptVerdict, nowMs: number): Promise<boolean> {
  const written = await trx.updateTable('webhook_deliveries').set({
    state: verdict.state, attempts: delivery.attempts + 1n, claimed_until_ms: null, updated_at_ms: BigInt(nowMs),
    last_status: outcome.status === null ? null : BigInt(outcome.status),
    last_error: outcome.error === null ? null : outcome.error.slice(0, LAST_ERROR_LENGTH_MAX),
    next_attempt_at_ms: verdict.state === 'pending' ? BigInt(verdict.nextAttemptAtMs) : null,
    ...(verdict.state === 'delivered' ? { delivered_at_ms: BigInt(nowMs) } : {}),
  }).where('id', '=', delivery.id).where('state', '=', 'pending').where('claimed_until_ms', '=', delivery.claimed_until_ms).executeTakeFirst();
  return written.numUpdatedRows === 1n;
}

/** Marks the endpoint failing since now (kept if already set); past ENDPOINT_DISABLE_AFTER_MS, disables it with an event. True when it did. */
async function disableIfFailingTooLong(trx: Db, endpoint: Endpoint, nowMs: number): Promise<boolean> {
  const failing = await trx.updateTable('webhook_endpoints').set((eb) => ({ failing_since_ms: eb.fn.coalesce('failing_since_ms', eb.val(BigInt(nowMs))) }))
    .where('id', '=', endpoint.id).returning(['failing_since_ms', 'enabled']).executeTakeFirst();
  if (!failing || failing.enabled !== 1n || failing.failing_since_ms === null) return false;
  if (nowMs - Number(failing.failing_since_ms) < ENDPOINT_DISABLE_AFTER_MS) return false;
  const reason = `deliveries failed for ${ENDPOINT_DISABLE_AFTER_MS / 3_600_000} hours without a success`;
  await trx.updateTable('webhook_endpoints').set({ enabled: 0n, disabled_reason: reason, updated_at_ms: BigInt(nowMs) }).where('id', '=', endpoint.id).execute();
  await refreshDebitedSubscriptions(trx, endpoint.tenant_id);
  await emit(trx, {
    type: 'webhook_endpoint.disabled', tenantId: endpoint.tenant_id,
    data: { endpointId: endpoint.id, url: endpoint.url, reason, failingSince: new Date(Number(failing.failing_since_ms)).toISOString() },
  }, nowMs);
  return true;
}
