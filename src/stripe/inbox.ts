import type Stripe from 'stripe';
import { handlerOf } from './event-table.ts';
import type { Ctx } from '../context.ts';

/**
 * The webhook inbox (SPEC §3.3): an event is stored by its id before anything else, so a duplicate
 * delivery is recognised and acknowledged without effect. Processing is idempotent on its own (ledger
 * references, the order state machine), so an event retried after a crash cannot move money twice.
 * An event that fails INBOX_ATTEMPTS_MAX times is dead-lettered: logged, kept, listed by
 * `purse events failed`, and no longer retried (a bug or bad data will not fix itself by repetition).
 */
export const INBOX_CLAIM_MS = 30_000;
export const INBOX_RETRY_AFTER_MS = 10_000;
export const INBOX_RETRY_BATCH = 50;
export const INBOX_ATTEMPTS_MAX = 8;
const ERROR_TEXT_MAX = 500;

export async function recordEvent(ctx: Ctx, event: Stripe.Event, payload: string): Promise<boolean> {
  const nowMs = ctx.nowMs();
  const result = await ctx.store.db.insertInto('stripe_events').values({
    id: event.id, type: event.type, payload, received_at_ms: BigInt(nowMs), processed_at_ms: null,
    // Claimed by the receiving instance while it processes inline; the retry job waits the claim out.
    claimed_until_ms: BigInt(nowMs + INBOX_CLAIM_MS), attempts: 0n, outcome: null, last_error: null, failed_at_ms: null,
  }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Runs the handler for one stored event and records the outcome; a failure leaves it for the retry job. */
export async function processEvent(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const handler = handlerOf(event.type);
  let outcome: string;
  try {
    if (handler) outcome = await handler(ctx, event);
    else {
      ctx.log.info({ eventId: event.id, type: event.type }, 'Stripe event type not handled; ignored');
      outcome = 'ignored';
    }
  } catch (err) {
    await recordFailure(ctx, event, err as Error);
    return 'error';
  }
  await ctx.store.db.updateTable('stripe_events')
    .set((eb) => ({ processed_at_ms: BigInt(ctx.nowMs()), outcome, attempts: eb('attempts', '+', 1n), claimed_until_ms: null }))
    .where('id', '=', event.id).execute();
  ctx.log.info({ eventId: event.id, type: event.type, outcome }, 'Stripe event processed');
  return outcome;
}

async function recordFailure(ctx: Ctx, event: Stripe.Event, err: Error): Promise<void> {
  const db = ctx.store.db;
  const lastError = String(err.message).slice(0, ERROR_TEXT_MAX);
  await db.updateTable('stripe_events')
    .set((eb) => ({ attempts: eb('attempts', '+', 1n), last_error: lastError, claimed_until_ms: null }))
    .where('id', '=', event.id).execute();
  const dead = await db.updateTable('stripe_events').set({ failed_at_ms: BigInt(ctx.nowMs()) })
    .where('id', '=', event.id).where('failed_at_ms', 'is', null).where('attempts', '>=', BigInt(INBOX_ATTEMPTS_MAX))
    .executeTakeFirst();
  if (dead.numUpdatedRows === 1n) {
    ctx.log.error({ eventId: event.id, type: event.type, attempts: INBOX_ATTEMPTS_MAX, err: lastError },
      'ALERT: Stripe event dead-lettered after its last attempt; not retried again (see `purse events failed`)');
  } else {
    ctx.log.error({ eventId: event.id, type: event.type, err: lastError }, 'Stripe event processing failed; will retry');
  }
}

/**
 * Picks up events whose processing failed or whose instance died mid-way. Safe with many instances:
 * each event is claimed by a guarded update before it is processed.
 */
export async function retryPendingEvents(ctx: Ctx): Promise<number> {
  const nowMs = ctx.nowMs();
  const due = await ctx.store.db.selectFrom('stripe_events').select(['id', 'payload', 'claimed_until_ms'])
    .where('processed_at_ms', 'is', null)
    .where('failed_at_ms', 'is', null)
    .where('received_at_ms', '<=', BigInt(nowMs - INBOX_RETRY_AFTER_MS))
    .orderBy('received_at_ms').limit(INBOX_RETRY_BATCH).execute();
  let processed = 0;
  for (const row of due) {
    if (row.claimed_until_ms !== null && row.claimed_until_ms > BigInt(nowMs)) continue;
    const claim = await ctx.store.db.updateTable('stripe_events').set({ claimed_until_ms: BigInt(nowMs + INBOX_CLAIM_MS) })
      .where('id', '=', row.id).where('processed_at_ms', 'is', null).where('failed_at_ms', 'is', null)
      .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<=', BigInt(nowMs))]))
      .executeTakeFirst();
    if (claim.numUpdatedRows !== 1n) continue;
    await processEvent(ctx, JSON.parse(row.payload) as Stripe.Event);
    processed += 1;
  }
  return processed;
}

export interface FailedEvent {
  id: string;
  type: string;
  attempts: number;
  lastError: string | null;
  receivedAt: string;
  failedAt: string;
}

/** The dead letters, oldest first: what an operator must look at (`purse events failed`). */
export async function listFailedEvents(ctx: Ctx): Promise<FailedEvent[]> {
  const rows = await ctx.store.db.selectFrom('stripe_events')
    .select(['id', 'type', 'attempts', 'last_error', 'received_at_ms', 'failed_at_ms'])
    .where('failed_at_ms', 'is not', null).orderBy('failed_at_ms').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id, type: r.type, attempts: Number(r.attempts), lastError: r.last_error,
    receivedAt: new Date(Number(r.received_at_ms)).toISOString(), failedAt: new Date(Number(r.failed_at_ms)).toISOString(),
  }));
}
