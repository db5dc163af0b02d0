import type { Ctx } from '../context.ts';
import { type EventType, endpointHears, isEventType } from '../events/catalog.ts';
import { newId } from '../ids/ids.ts';
import { parseEvents } from './endpoints-store.ts';

/** Events turned into deliveries per transaction, and transactions per worker pass (a larger backlog waits for the next pass). */
export const FAN_OUT_BATCH_MAX = 500;
export const FAN_OUT_BATCHES_PER_PASS_MAX = 20;

/** Fans out the outbox backlog, one batch per transaction, until it is empty or the pass's bound is reached. */
export async function fanOutBacklog(ctx: Ctx): Promise<void> {
  for (let batch = 0; batch < FAN_OUT_BATCHES_PER_PASS_MAX; batch += 1) {
    if ((await fanOutEvents(ctx)).events < FAN_OUT_BATCH_MAX) return;
  }
}

/**
 * Turns undispatched outbox events into one pending delivery per matching enabled endpoint, and marks
 * them dispatched, in one transaction. PostgreSQL: rows claimed with FOR UPDATE SKIP LOCKED, so several
 * instances share the work without doing any of it twice; the unique (event, endpoint) index backs that up.
 */
export async function fanOutEvents(ctx: Ctx): Promise<{ events: number; deliveries: number }> {
  const nowMs = ctx.nowMs();
  return ctx.store.db.transaction().execute(async (trx) => {
    const query = trx.selectFrom('events').select(['id', 'type', 'tenant_id']).where('dispatched_at_ms', 'is', null)
      .orderBy('created_at_ms').orderBy('id').limit(FAN_OUT_BATCH_MAX);
    const events = await (ctx.store.dialect === 'postgres' ? query.forUpdate().skipLocked() : query).execute();
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const endpoints = (await trx.selectFrom('webhook_endpoints').select(['id', 'tenant_id', 'events']).where('enabled', '=', 1n).execute())
      .map((e) => ({ id: e.id, tenantId: e.tenant_id, events: parseEvents(e.events) }));
    const deliveries = events.flatMap((event) => {
      if (!isEventType(event.type)) return [];
      const type: EventType = event.type;
      return endpoints
        .filter((e) => (e.tenantId === null || e.tenantId === event.tenant_id) && endpointHears(e.events, type))
        .map((e) => ({
          id: newId('whd'), event_id: event.id, endpoint_id: e.id, state: 'pending', attempts: 0n, next_attempt_at_ms: BigInt(nowMs),
          claimed_until_ms: null, last_status: null, last_error: null, created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), delivered_at_ms: null,
        }));
    });
    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
      await trx.insertInto('webhook_deliveries').values(deliveries.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing()).execute();
    }
    await trx.updateTable('events').set({ dispatched_at_ms: BigInt(nowMs) }).where('id', 'in', events.map((e) => e.id)).execute();
    return { events: events.length, deliveries: deliveries.length };
  });
}

// 12 columns per row: stays under SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_CHUNK = 200;
