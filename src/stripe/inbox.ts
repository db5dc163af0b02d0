import type Stripe from 'stripe';
import { handlerOf } from './event-table.ts';
import type { Ctx } from '../context.ts';

/**
 * The webhook inbox (SPEC §3.3): an event is stored by its id before anything else, so a duplicate
 * delivery is recognised and acknowledged without effect. Processing is idempotent on its own (ledger
 * references, the order state machine), so an event retried after a crash cannot move money twice.
 */
export const INBOX_CLAIM_MS = 30_000;
export const INBOX_RETRY_AFTER_MS = 10_000;
export const INBOX_RETRY_BATCH = 50;
const ERROR_TEXT_MAX = 500;

export async function recordEvent(ctx: Ctx, event: Stripe.Event, payload: string): Promise<boolean> {
  const nowMs = ctx.nowMs();
  const result = await ctx.store.db.insertInto('stripe_events').values({
    id: event.id, type: event.type, payload, received_at_ms: BigInt(nowMs), processed_at_ms: null,
    // Claimed by the receiving instance while it processes inline; the retry job waits the claim out.
    claimed_until_ms: BigInt(nowMs + INBOX_CLAIM_MS), attempts: 0n, outcome: null, last_error: null,
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
    ctx.log.error({ eventId: event.id, type: event.type, err: (err as Error).message }, 'Stripe event processing failed; will retry');
    await ctx.store.db.updateTable('stripe_events')
      .set((eb) => ({ attempts: eb('attempts', '+', 1n), last_error: String((err as Error).message).slice(0, ERROR_TEXT_MAX), claimed_until_ms: null }))
      .where('id', '=', event.id).execute();
    return 'error';
  }
  await ctx.store.db.updateTable('stripe_events')
    .set((eb) => ({ processed_at_ms: BigInt(ctx.nowMs()), outcome, attempts: eb('attempts', '+', 1n), claimed_until_ms: null }))
    .where('id', '=', event.id).execute();
  ctx.log.info({ eventId: event.id, type: event.type, outcome }, 'Stripe event processed');
  return outcome;
}

/**
 * Picks up events whose processing failed or whose instance died mid-way. Safe with many instances:
 * each event is claimed by a guarded update before it is processed.
 */
export async function retryPendingEvents(ctx: Ctx): Promise<number> {
  const nowMs = ctx.nowMs();
  const due = await ctx.store.db.selectFrom('stripe_events').select(['id', 'payload', 'claimed_until_ms'])
    .where('processed_at_ms', 'is', null)
    .where('received_at_ms', '<=', BigInt(nowMs - INBOX_RETRY_AFTER_MS))
    .orderBy('received_at_ms').limit(INBOX_RETRY_BATCH).execute();
  let processed = 0;
  for (const row of due) {
    if (row.claimed_until_ms !== null && row.claimed_until_ms > BigInt(nowMs)) continue;
    const claim = await ctx.store.db.updateTable('stripe_events').set({ claimed_until_ms: BigInt(nowMs + INBOX_CLAIM_MS) })
      .where('id', '=', row.id).where('processed_at_ms', 'is', null)
      .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<=', BigInt(nowMs))]))
      .executeTakeFirst();
    if (claim.numUpdatedRows !== 1n) continue;
    await processEvent(ctx, JSON.parse(row.payload) as Stripe.Event);
    processed += 1;
  }
  return processed;
}
