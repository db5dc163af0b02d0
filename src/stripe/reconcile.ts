import type Stripe from 'stripe';
import { completeCheckout, expireCheckout } from '../checkout/payment-events.ts';
import { clawBackRefund } from '../refunds/claw-back-refund.ts';
import { EVENT_HANDLERS } from './event-table.ts';
import { INBOX_CLAIM_MS, processEvent, recordEvent } from './inbox.ts';
import { claimWaitingEvents } from './waiting-events.ts';
import { toRefundFacts, toSessionFacts } from './translate.ts';
import type { Ctx } from '../context.ts';

/**
 * Catches up what never arrived (an outage, a misconfigured endpoint, an event Stripe never sent), for
 * `purse reconcile`, `POST /v1/admin/reconcile` and the periodic job (SPEC §3.3, §8.4):
 * 1. Stripe's events list, through the same inbox as a delivery (a stored event is skipped);
 * 2. Checkout sessions: a complete or expired session whose order does not show it yet;
 * 3. charges with refunds: a refunded amount not yet clawed back (a Checkout top-up's or an auto top-up's charge);
 * 4. stored events still waiting for a credit (waiting-events.ts): applied now if their credit has landed.
 * Every step goes through the capability's own idempotent function (ledger references, the order state
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

export async function reconcileStripe(ctx: Ctx, lookbackSeconds = RECONCILE_LOOKBACK_SECONDS): Promise<ReconcileReport> {
  const sinceSeconds = Math.floor(ctx.nowMs() / 1000) - lookbackSeconds;
  const report: ReconcileReport = { scanned: 0, recovered: 0 };
  const count = (recovered: boolean) => {
    report.scanned += 1;
    if (recovered) report.recovered += 1;
  };
  for await (const event of ctx.payments.listEvents(Object.keys(EVENT_HANDLERS), sinceSeconds)) count(await recoverEvent(ctx, event));
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

async function recoverSession(ctx: Ctx, session: Stripe.Checkout.Session): Promise<boolean> {
  const facts = toSessionFacts(session);
  if (!facts.orderId) return false;
  if (session.status === 'complete') return recovered(ctx, session.id, () => completeCheckout(ctx, facts));
  if (session.status === 'expired') return recovered(ctx, session.id, () => expireCheckout(ctx, facts));
  return false;
}

async function recoverRefund(ctx: Ctx, charge: Stripe.Charge): Promise<boolean> {
  const facts = toRefundFacts(charge);
  if (facts.amountRefundedMinor <= 0n || (!facts.orderId && !facts.attemptId)) return false;
  return recovered(ctx, charge.id, () => clawBackRefund(ctx, facts));
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
