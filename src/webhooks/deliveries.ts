import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { emit } from '../events/emit.ts';
import { newId } from '../ids/ids.ts';
import { type EndpointOwner, findOwnedEndpoint, parseIdCursor, parsePageLimit } from './endpoints-store.ts';
import { fanOutEvents } from './fan-out.ts';

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  state: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

const iso = (ms: bigint | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** `GET …/webhook-endpoints/{id}/deliveries`: newest first, keyset pages on the delivery id. */
export async function listDeliveries(ctx: Ctx, owner: EndpointOwner, endpointId: string, query: { limit?: string | undefined; cursor?: string | undefined }): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  const limit = parsePageLimit(query.limit);
  const cursor = parseIdCursor(query.cursor);
  const endpoint = await findOwnedEndpoint(ctx.store.db, owner, endpointId);
  const rows = await ctx.store.db.selectFrom('webhook_deliveries as d').innerJoin('events as e', 'e.id', 'd.event_id')
    .selectAll('d').select('e.type as event_type')
    .where('d.endpoint_id', '=', endpoint.id)
    .$if(cursor !== undefined, (qb) => qb.where('d.id', '<', cursor!))
    .orderBy('d.id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    data: page.map((r) => ({
      id: r.id, eventId: r.event_id, eventType: r.event_type, endpointId: r.endpoint_id, state: r.state, attempts: Number(r.attempts),
      nextAttemptAt: iso(r.next_attempt_at_ms), lastStatus: r.last_status === null ? null : Number(r.last_status), lastError: r.last_error,
      createdAt: iso(r.created_at_ms) ?? '', deliveredAt: iso(r.delivered_at_ms),
    })),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/**
 * `POST /v1/admin/events/{eventId}/redeliver`: every delivery of the event (failed, delivered or still
 * retrying) goes back to pending, due now, with a fresh give-up window; endpoints that match it now but
 * had no delivery (created after the event) get one. The receiver sees the same `webhook-id` again.
 */
export async function redeliverEvent(ctx: Ctx, eventId: string): Promise<{ eventId: string; deliveries: number }> {
  const nowMs = BigInt(ctx.nowMs());
  const event = await ctx.store.db.selectFrom('events').select(['id', 'type']).where('id', '=', eventId).executeTakeFirst();
  if (!event || event.type === 'webhook_endpoint.test') throw new PurseError('NOT_FOUND');
  await ctx.store.transact(async (trx) => {
    await trx.updateTable('webhook_deliveries')
      .set({ state: 'pending', next_attempt_at_ms: nowMs, claimed_until_ms: null, created_at_ms: nowMs, updated_at_ms: nowMs })
      .where('event_id', '=', event.id).execute();
    await trx.updateTable('events').set({ dispatched_at_ms: null }).where('id', '=', event.id).execute();
  });
  await fanOutEvents(ctx);
  const count = await ctx.store.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('event_id', '=', event.id).executeTakeFirstOrThrow();
  ctx.log.info({ eventId }, 'event queued for redelivery');
  return { eventId: event.id, deliveries: Number(count.n) };
}

/** `POST …/webhook-endpoints/{id}/test`: a `webhook_endpoint.test` event delivered to this endpoint only. */
export async function sendTestEvent(ctx: Ctx, owner: EndpointOwner, endpointId: string): Promise<{ eventId: string; deliveryId: string }> {
  const nowMs = ctx.nowMs();
  const deliveryId = newId('whd');
  const eventId = await ctx.store.transact(async (trx) => {
    const endpoint = await findOwnedEndpoint(trx, owner, endpointId);
    const event = await emit(trx, { type: 'webhook_endpoint.test', tenantId: endpoint.tenant_id, data: { endpointId: endpoint.id, message: 'A test event from Purse' } }, nowMs);
    // Fanned out by hand, to this endpoint only: mark it dispatched in the same transaction.
    await trx.updateTable('events').set({ dispatched_at_ms: BigInt(nowMs) }).where('id', '=', event.id).execute();
    await trx.insertInto('webhook_deliveries').values({
      id: deliveryId, event_id: event.id, endpoint_id: endpoint.id, state: 'pending', attempts: 0n, next_attempt_at_ms: BigInt(nowMs),
      claimed_until_ms: null, last_status: null, last_error: null, created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), delivered_at_ms: null,
    }).execute();
    return event.id;
  });
  return { eventId, deliveryId };
}
