import type { Ctx } from '../context.ts';
import { emit } from '../events/emit.ts';
import type { Delivery } from './claim-deliveries.ts';
import { type Endpoint, refreshDebitedSubscriptions } from './endpoints-store.ts';
import { ENDPOINT_DISABLE_AFTER_MS, judgeAttempt } from './retry-schedule.ts';
import { LAST_ERROR_LENGTH_MAX, type SendOutcome } from './send-delivery.ts';

/**
 * Writes what one attempt achieved, guarded by this worker's claim (a worker whose claim lapsed and was
 * taken over writes nothing). A failure marks the endpoint failing since now (if it was not already);
 * one failing for ENDPOINT_DISABLE_AFTER_MS is disabled, logged, and announced by an event, together.
 */
export async function recordAttempt(ctx: Ctx, delivery: Delivery, endpoint: Endpoint, outcome: SendOutcome, random: number = Math.random()): Promise<void> {
  const nowMs = ctx.nowMs();
  const attempts = delivery.attempts + 1n;
  const verdict = judgeAttempt(outcome.ok, Number(attempts), Number(delivery.created_at_ms), nowMs, random);
  await ctx.store.db.transaction().execute(async (trx) => {
    const written = await trx.updateTable('webhook_deliveries').set({
      state: verdict.state, attempts, claimed_until_ms: null, updated_at_ms: BigInt(nowMs),
      last_status: outcome.status === null ? null : BigInt(outcome.status),
      last_error: outcome.error === null ? null : outcome.error.slice(0, LAST_ERROR_LENGTH_MAX),
      next_attempt_at_ms: verdict.state === 'pending' ? BigInt(verdict.nextAttemptAtMs) : null,
      ...(verdict.state === 'delivered' ? { delivered_at_ms: BigInt(nowMs) } : {}),
    }).where('id', '=', delivery.id).where('state', '=', 'pending').where('claimed_until_ms', '=', delivery.claimed_until_ms).executeTakeFirst();
    if (written.numUpdatedRows !== 1n) return;
    if (outcome.ok) {
      await trx.updateTable('webhook_endpoints').set({ failing_since_ms: null }).where('id', '=', endpoint.id).where('failing_since_ms', 'is not', null).execute();
      return;
    }
    const failing = await trx.updateTable('webhook_endpoints').set((eb) => ({ failing_since_ms: eb.fn.coalesce('failing_since_ms', eb.val(BigInt(nowMs))) }))
      .where('id', '=', endpoint.id).returning(['failing_since_ms', 'enabled']).executeTakeFirst();
    if (!failing || failing.enabled !== 1n || failing.failing_since_ms === null) return;
    if (nowMs - Number(failing.failing_since_ms) < ENDPOINT_DISABLE_AFTER_MS) return;
    const reason = `deliveries failed for ${ENDPOINT_DISABLE_AFTER_MS / 3_600_000} hours without a success`;
    await trx.updateTable('webhook_endpoints').set({ enabled: 0n, disabled_reason: reason, updated_at_ms: BigInt(nowMs) }).where('id', '=', endpoint.id).execute();
    await refreshDebitedSubscriptions(trx, endpoint.tenant_id);
    await emit(trx, {
      type: 'webhook_endpoint.disabled', tenantId: endpoint.tenant_id,
      data: { endpointId: endpoint.id, url: endpoint.url, reason, failingSince: new Date(Number(failing.failing_since_ms)).toISOString() },
    }, nowMs);
    ctx.log.warn({ endpointId: endpoint.id, tenantId: endpoint.tenant_id, lastError: outcome.error }, 'webhook endpoint disabled after failing for too long');
  });
}
