import type Stripe from 'stripe';
import { assert } from '../errors/purse-error.ts';
import type { ListedCharge, ListedCheckout, ProviderRecord } from '../gateway/payment-gateway.ts';
import { EVENT_HANDLERS, handlerOf } from './event-table.ts';
import { INBOX_CLAIM_MS, processEvent, recordEvent } from './inbox.ts';
import { claimWaitingEvents } from './waiting-events.ts';
import { refundFacts, sessionFacts } from './translate.ts';
import type { Ctx } from '../context.ts';

/**
 * Catches up what never arrived (an outage, a misconfigured endpoint, an event Stripe never sent), for
 * `purse reconcile`, `POST /v1/admin/reconcile` and the periodic job (SPEC §3.3, §8.4):
 * 1. Stripe's events list, through the same inbox as a delivery (a stored event is skipped);
 * 2. Checkout sessions: a complete or expired session whose order does not show it yet;
 * 3. charges with refunds: a refunded amount not yet clawed back (a Checkout top-up's or an auto top-up's charge);
 * 4. stored events still waiting for a credit (waiting-events.ts): applied now if their credit has landed.
 * A listed session or charge becomes the event Stripe would have sent for it, and goes through the event
 * table (event-table.ts) like a delivery: reconcile keeps no Stripe-to-capability mapping of its own.
 * Every step ends in the capability's own idempotent function (ledger references, the order state
 * machine), so running it on many instances at once, or beside live deliveries, never moves money twice.
 */
export const RECONCILE_LOOKBACK_SECONDS = 3 * 24 * 60 * 60;

export interface ReconcileReport {
  /** Events, sessions and charges looked at. */
  scanned: number;
  /** Of those, how many changed something here. */
  recovered: number;
}

/** Capability outcomes that mean "this was missing and is now done". */
const RECOVERED_OUTCOMES: ReadonlySet<string> = new Set(['credited', 'moved', 'saved:moved', 'already_saved:moved', 'clawed_back', 'opened', 'won', 'lost']);

/** The event a listed session stands for, by how far it got; sessions still open (or other) stand for none. */
const SESSION_EVENTS: Partial<Record<ListedCheckout['status'], string>> = { complete: 'checkout.session.completed', expired: 'checkout.session.expired' };
/** A charge with something refunded stands for charge.refunded (carrying the cumulative amount, as Stripe's does). */
const REFUND_EVENT = 'charge.refunded';

export async function reconcileStripe(ctx: Ctx, lookbackSeconds = RECONCILE_LOOKBACK_SECONDS): Promise<ReconcileReport> {
  const sinceSeconds = Math.floor(ctx.nowMs() / 1000) - lookbackSeconds;
  const report: ReconcileReport = { scanned: 0, recovered: 0 };
  const count = (recovered: boolean) => {
    report.scanned += 1;
    if (recovered) report.recovered += 1;
  };
  for await (const event of ctx.payments.listEvents(Object.keys(EVENT_HANDLERS), sinceSeconds)) count(await recoverEvent(ctx, event.body as Stripe.Event));
  for await (const session of ctx.payments.listCheckoutSessions(sinceSeconds)) count(await recoverSession(ctx, session));
  for await (const charge of ctx.payments.listCharges(sinceSeconds)) count(await recoverRefund(ctx, charge));
  for (const event of await claimWaitingEvents(ctx, INBOX_CLAIM_MS)) count(RECOVERED_OUTCOMES.has(await processEvent(ctx, event)));
  if (report.recovered > 0) ctx.log.warn({ ...report }, 'reconcile recovered Stripe payments whose events never arrived');
  return report;
}

async function recoverEvent(ctx: Ctx, event: Stripe.Event): Promise<boolean> {
  const fresh = await recordEvent(ctx, event, JSON.stringify(event));
  if (fresh) await processEvent(ctx, event);
  return fresh;
}

async function recoverSession(ctx: Ctx, session: ListedCheckout): Promise<boolean> {
  const type = SESSION_EVENTS[session.status];
  if (!type) return false;
  const event = impliedEvent(type, session);
  if (!sessionFacts(event).orderId) return false;
  return recovered(ctx, session.id, () => throughEventTable(ctx, event));
}

async function recoverRefund(ctx: Ctx, charge: ListedCharge): Promise<boolean> {
  if (charge.amountRefundedMinor <= 0n) return false;
  const event = impliedEvent(REFUND_EVENT, charge);
  const facts = refundFacts(event);
  if (!facts.orderId && !facts.attemptId) return false;
  return recovered(ctx, charge.id, () => throughEventTable(ctx, event));
}

/** A listed object as the event Stripe would have sent for it (never stored: the object is the news). */
function impliedEvent(type: string, record: ProviderRecord): Stripe.Event {
  return { id: `reconcile:${type}:${record.id}`, object: 'event', type, data: { object: record.body } } as unknown as Stripe.Event;
}

function throughEventTable(ctx: Ctx, event: Stripe.Event): Promise<string> {
  const handler = handlerOf(event.type);
  assert(handler, `the event table handles ${event.type}`);
  return handler(ctx, event);
}

/** One object's failure (e.g. a refund whose credit is not in yet) is logged and left for the next run. */
async function recovered(ctx: Ctx, objectId: string, work: () => Promise<string>): Promise<boolean> {
  try {
    return RECOVERED_OUTCOMES.has(await work());
  } catch (err) {
    ctx.log.warn({ objectId, err: (err as Error).message }, 'reconcile could not settle a Stripe object yet; next run retries');
    return false;
  }
}
