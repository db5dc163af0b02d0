import { assert } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import type { Db } from '../store/db.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';
import { type EventType, isEventType } from './catalog.ts';

export interface EventInput {
  type: EventType;
  /** The tenant the event is about; null for operator-level events. */
  tenantId: string | null;
  /** The payload's `data`: JSON-safe values only (money as major-unit numbers, times as ISO strings). */
  data: Record<string, unknown>;
}

/** The wire shape of every event (SPEC §8.3), also what `GET …/deliveries` and the worker read back. */
export interface PurseEvent {
  id: string;
  type: EventType;
  createdAt: string;
  tenantId: string | null;
  data: Record<string, unknown>;
}

/**
 * The seam: a capability says "this happened" inside its own database transaction. The event is one
 * insert into the outbox (`events`) in the caller's transaction, so it commits with the change it
 * reports or not at all; the delivery worker fans it out and sends it after the commit. No endpoint is
 * read here: fan-out is the worker's job, so emitting costs the same with 0 or 100 endpoints.
 */
export async function emit(trx: Db, event: EventInput, nowMs: number): Promise<PurseEvent> {
  assert(isEventType(event.type), `event type ${event.type} is in the catalog`);
  const id = newId('evt');
  // Written once per dialect: every money path that tells the tenant something runs it (a top-up runs it twice).
  const text = precompiled(trx, 'events:insert', () => 'insert into events (id, type, tenant_id, data, created_at_ms, dispatched_at_ms) values (?, ?, ?, ?, ?, null)');
  await runPrecompiled(trx, text, [id, event.type, event.tenantId, JSON.stringify(event.data), BigInt(nowMs)]);
  return { id, type: event.type, createdAt: new Date(nowMs).toISOString(), tenantId: event.tenantId, data: event.data };
}
