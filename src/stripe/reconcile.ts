import type Stripe from 'stripe';
import { EVENT_HANDLERS } from './event-table.ts';
import { processEvent, recordEvent } from './inbox.ts';
import type { Ctx } from '../context.ts';

/**
 * Catches up webhooks that never arrived (an outage, a misconfigured endpoint) from Stripe's events
 * list (SPEC §3.3). Each event goes through the same inbox as a delivery: an event already stored is
 * skipped, a new one is stored then processed, so running this on many instances at once, or right
 * next to live deliveries, never credits twice.
 */
export const RECONCILE_LOOKBACK_SECONDS = 3 * 24 * 60 * 60;

export interface ReconcileReport {
  seen: number;
  recovered: number;
}

export async function reconcileEvents(ctx: Ctx, lookbackSeconds = RECONCILE_LOOKBACK_SECONDS): Promise<ReconcileReport> {
  const sinceSeconds = Math.floor(ctx.nowMs() / 1000) - lookbackSeconds;
  const report: ReconcileReport = { seen: 0, recovered: 0 };
  const events = ctx.payments.listEvents(Object.keys(EVENT_HANDLERS), sinceSeconds);
  for await (const event of events) {
    report.seen += 1;
    if (await recoverEvent(ctx, event)) report.recovered += 1;
  }
  if (report.recovered > 0) ctx.log.warn({ ...report }, 'reconcile recovered Stripe events that were never delivered');
  return report;
}

async function recoverEvent(ctx: Ctx, event: Stripe.Event): Promise<boolean> {
  const fresh = await recordEvent(ctx, event, JSON.stringify(event));
  if (fresh) await processEvent(ctx, event);
  return fresh;
}
