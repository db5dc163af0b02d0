import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditWrite } from '../audit/audit-log.ts';
import { cancelAttempts, moveConfig, rearmIfActive } from '../auto-topup/config-store.ts';
import type { Ctx } from '../context.ts';
import { defaultCard } from '../customers/cards-store.ts';
import { PurseError } from '../errors/purse-error.ts';
import { auditActorOf, guardWrite, sendPage } from './console-http.ts';
import { renderMessage } from './console-shell.ts';

/**
 * What the tenant page's support actions and downloads share (each route in its own file): resume a paused auto top-up, replay one delivery to
 * one endpoint (support and owner; a viewer gets 403), and a receipt's PDF (any role). Each write and
 * its audit entry commit together (audit-log.ts auditWrite); a refused one writes neither.
 */
export function refusedAs<T>(value: T) {
  return (err: unknown): T => {
    if (err instanceof PurseError) return value;
    throw err;
  };
}

export async function resume(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const viewer = await guardWrite(ctx, request, reply, 'auto_topup.resume');
  if (!viewer) return reply;
  const tenantId = (request.params as { id: string }).id;
  const config = await ctx.store.db.selectFrom('auto_topup_configs').select(['state', 'paused_reason']).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (config?.state !== 'paused') return sendPage(reply, viewer, renderMessage(viewer, viewer.t.notPaused, 'CONFLICT', viewer), new PurseError('CONFLICT').status);
  if (!(await defaultCard(ctx.store.db, tenantId))) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noCard, 'NO_PAYMENT_METHOD', viewer), new PurseError('NO_PAYMENT_METHOD').status);
  const change = { action: 'auto_topup.resume', target: tenantId, before: { state: 'paused', pausedReason: config.paused_reason }, after: { state: 'active' } };
  const resumed = await auditWrite(ctx, auditActorOf(viewer, request), change, () => resumeAutoTopup(ctx, tenantId)).catch(refusedAs(false));
  if (!resumed) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.notPaused, 'CONFLICT', viewer), new PurseError('CONFLICT').status);
  return reply.redirect(`/admin/tenants/${tenantId}?notice=resumed#auto-topup`, 303);
}

/**
 * Paused → active as the tenant's own re-enable does (auto-topup/set-auto-topup.ts): failures forgotten,
 * a scheduled retry and an attempt waiting for authentication dropped, the trigger armed again unless an
 * attempt is in flight. A config that is no longer paused throws, so nothing (and no audit entry) commits.
 */
async function resumeAutoTopup(ctx: Ctx, tenantId: string): Promise<true> {
  const nowMs = ctx.nowMs();
  await ctx.store.transact(async (trx) => {
    const moved = await moveConfig(trx, tenantId, { from: ['paused'], to: 'active', nowMs, patch: { paused_reason: null, recovery_attempt_id: null, retry_at_ms: null } });
    if (!moved) throw new PurseError('CONFLICT');
    await trx.updateTable('auto_topup_configs').set({ consecutive_failures: 0n }).where('tenant_id', '=', tenantId).execute();
    await cancelAttempts(trx, tenantId, 'action_required', nowMs);
    await rearmIfActive(trx, tenantId);
  }, { key: tenantId });
  return true;
}

export async function replay(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const viewer = await guardWrite(ctx, request, reply, 'delivery.replay');
  if (!viewer) return reply;
  const { id: tenantId, deliveryId } = request.params as { id: string; deliveryId: string };
  const done = await auditWrite(ctx, auditActorOf(viewer, request), { action: 'delivery.replay', target: deliveryId, after: { tenantId, state: 'pending' } },
    () => replayDelivery(ctx, tenantId, deliveryId)).catch(refusedAs(false));
  if (!done) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noRows, 'NOT_FOUND', viewer), 404);
  return reply.redirect(`/admin/tenants/${tenantId}?notice=replayed#endpoints`, 303);
}

/** One delivery back to pending, due now, with a fresh give-up window; only one of this tenant's endpoints. */
async function replayDelivery(ctx: Ctx, tenantId: string, deliveryId: string): Promise<true> {
  const nowMs = BigInt(ctx.nowMs());
  await ctx.store.transact(async (trx) => {
    const result = await trx.updateTable('webhook_deliveries')
      .set({ state: 'pending', next_attempt_at_ms: nowMs, claimed_until_ms: null, created_at_ms: nowMs, updated_at_ms: nowMs })
      .where('id', '=', deliveryId)
      .where('endpoint_id', 'in', (eb) => eb.selectFrom('webhook_endpoints').select('id').where('tenant_id', '=', tenantId))
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) throw new PurseError('NOT_FOUND');
  });
  return true;
}
