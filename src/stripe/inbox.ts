import type Stripe from 'stripe';
import { WaitingFor } from '../errors/waiting-for.ts';
import { moneyTrx } from '../events/money-transaction.ts';
import { crashPoint } from '../store/crash-points.ts';
import { type Db, transact } from '../store/db.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';
import { type EventHandler, type EventHandlerWithin, handlerOf, handlerWithinOf } from './event-table.ts';
import { WAITING_OUTCOME, parkEvent } from './waiting-events.ts';
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

/**
 * A verified delivery, taken in: `duplicate` when its id was stored before (acknowledged without effect).
 * A type with a database-only handler is stored, handled and marked processed in ONE commit; if that
 * handler throws, all of it rolls back and the event takes the two-commit way (stored, then processed,
 * a failure recorded for the retry job). A crash before the commit leaves nothing, and Stripe, which got
 * no 2xx, delivers again.
 */
export async function receiveEvent(ctx: Ctx, event: Stripe.Event, payload: string): Promise<{ duplicate: boolean }> {
  const within = handlerWithinOf(event.type);
  const taken = within ? await takeInOneCommit(ctx, event, payload, within) : 'not_taken';
  if (taken === 'duplicate' || taken === 'processed') return { duplicate: taken === 'duplicate' };
  const fresh = taken === 'recorded' || (await recordEvent(ctx, event, payload));
  crashPoint('webhook:after-inbox-insert');
  if (fresh) await processEvent(ctx, event);
  return { duplicate: !fresh };
}

/**
 * The one-commit way: `recorded` when the handler needs the network (the row is stored, claimed, not yet
 * processed: processEvent runs next, as on the two-commit way), `not_taken` when it threw (nothing stored).
 */
async function takeInOneCommit(ctx: Ctx, event: Stripe.Event, payload: string, handler: EventHandlerWithin): Promise<'duplicate' | 'processed' | 'recorded' | 'not_taken'> {
  try {
    const taken = await transact(ctx.store.db, async (trx) => {
      const m = moneyTrx(ctx, trx, ctx.nowMs());
      if (!(await insertEvent(trx, event, payload, m.nowMs))) return { outcome: undefined, step: 'duplicate' as const };
      const outcome = await handler.handle(ctx, m, event);
      if (outcome === undefined) return { outcome, step: 'recorded' as const };
      await markProcessed(trx, event.id, outcome, m.nowMs);
      crashPoint('webhook:before-one-commit');
      return { outcome, step: 'processed' as const };
    }, { key: handler.walletOf(event) });
    if (taken.step === 'processed') ctx.log.info({ eventId: event.id, type: event.type, outcome: taken.outcome }, 'Stripe event processed');
    return taken.step;
  } catch (err) {
    ctx.log.warn({ eventId: event.id, type: event.type, err: String((err as Error).message).slice(0, ERROR_TEXT_MAX) }, 'Stripe event not handled in one commit; stored and processed apart');
    return 'not_taken';
  }
}

export async function recordEvent(ctx: Ctx, event: Stripe.Event, payload: string): Promise<boolean> {
  return insertEvent(ctx.store.db, event, payload, ctx.nowMs());
}

async function insertEvent(db: Db, event: Stripe.Event, payload: string, nowMs: number): Promise<boolean> {
  // Claimed by the receiving instance while it processes inline; the retry job waits the claim out.
  const text = precompiled(db, 'stripe_events:insert', () => `insert into stripe_events (id, type, payload, received_at_ms, processed_at_ms, claimed_until_ms,
    attempts, outcome, last_error, failed_at_ms) values (?, ?, ?, ?, null, ?, 0, null, null, null) on conflict (id) do nothing`);
  const result = await runPrecompiled(db, text, [event.id, event.type, payload, BigInt(nowMs), BigInt(nowMs + INBOX_CLAIM_MS)]);
  return result.numAffectedRows === 1n;
}

/**
 * Runs the handler for one stored event and records the outcome; a failure leaves it for the retry job.
 * An event that waits for a credit not applied yet is parked on it (waiting-events.ts), then tried once
 * more: a credit that committed before the park could not wake it, and this second look sees that credit.
 */
export async function processEvent(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const handler = handlerOf(event.type);
  if (!handler) {
    ctx.log.info({ eventId: event.id, type: event.type }, 'Stripe event type not handled; ignored');
    return finish(ctx, event, 'ignored');
  }
  const first = await runHandler(ctx, event, handler);
  if (!(first instanceof WaitingFor)) return first === undefined ? 'error' : finish(ctx, event, first);
  await parkEvent(ctx.store.db, event.id, first.key, ctx.nowMs());
  crashPoint('webhook:after-park');
  const second = await runHandler(ctx, event, handler);
  if (second === undefined) return 'error';
  if (second instanceof WaitingFor) {
    ctx.log.info({ eventId: event.id, type: event.type, waitingFor: second.key }, 'Stripe event waits for a credit not applied yet; applied when it lands');
    return WAITING_OUTCOME;
  }
  return finish(ctx, event, second);
}

/** The handler's outcome, the wait it signalled, or undefined after recording a failure. */
async function runHandler(ctx: Ctx, event: Stripe.Event, handler: EventHandler): Promise<string | WaitingFor | undefined> {
  try {
    return await handler(ctx, event);
  } catch (err) {
    if (err instanceof WaitingFor) return err;
    await recordFailure(ctx, event, err as Error);
    return undefined;
  }
}

async function finish(ctx: Ctx, event: Stripe.Event, outcome: string): Promise<string> {
  await markProcessed(ctx.store.db, event.id, outcome, ctx.nowMs());
  ctx.log.info({ eventId: event.id, type: event.type, outcome }, 'Stripe event processed');
  return outcome;
}

async function markProcessed(db: Db, eventId: string, outcome: string, nowMs: number): Promise<void> {
  const text = precompiled(db, 'stripe_events:processed', () =>
    'update stripe_events set processed_at_ms = ?, outcome = ?, attempts = attempts + 1, claimed_until_ms = null, waiting_for = null where id = ?');
  await runPrecompiled(db, text, [BigInt(nowMs), outcome, eventId]);
}

async function recordFailure(ctx: Ctx, event: Stripe.Event, err: Error): Promise<void> {
  const db = ctx.store.db;
  const lastError = String(err.message).slice(0, ERROR_TEXT_MAX);
  await db.updateTable('stripe_events')
    .set((eb) => ({ attempts: eb('attempts', '+', 1n), last_error: lastError, claimed_until_ms: null, waiting_for: null }))
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
 * each event is claimed by a guarded update before it is processed. Only events whose claim has run out
 * are read: a batch of older events still claimed (parked ones wait out their re-check time there) must not
 * fill the page and starve a newer one forever — an add-card completion stranded by a crash behind fifty
 * parked refunds was never applied (issue 19's chaos run).
 */
export async function retryPendingEvents(ctx: Ctx): Promise<number> {
  const nowMs = ctx.nowMs();
  const due = await ctx.store.db.selectFrom('stripe_events').select(['id', 'payload'])
    .where('processed_at_ms', 'is', null)
    .where('failed_at_ms', 'is', null)
    .where('received_at_ms', '<=', BigInt(nowMs - INBOX_RETRY_AFTER_MS))
    .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<=', BigInt(nowMs))]))
    .orderBy('received_at_ms').limit(INBOX_RETRY_BATCH).execute();
  let processed = 0;
  for (const row of due) {
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
