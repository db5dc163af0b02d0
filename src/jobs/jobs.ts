import { AUTO_TOPUP_EVERY_MS, runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import { pruneIdempotencyKeys } from '../idempotency/idempotency.ts';
import { retryPendingEvents } from '../stripe/inbox.ts';
import { reconcileStripe } from '../stripe/reconcile.ts';
import { expireHolds } from '../wallet/expire-holds.ts';
import { expireCreditBlocks } from '../credits/end-credit-block.ts';
import type { Job } from './scheduler.ts';
import { ROLLUP_EVERY_MS, catchUpLedgerTotals } from '../console/rollup.ts';
import { CHARGE_DETAILS_EVERY_MS, completeChargeDetails } from '../receipts/charge-details.ts';
import { DUPLICATE_DETACH_EVERY_MS, detachDuplicates } from '../customers/detach-duplicates.ts';
import { WEBHOOK_WORKER_EVERY_MS, runWebhookWorker } from '../webhooks/delivery-worker.ts';

const INBOX_RETRY_EVERY_MS = 5_000;
const IDEMPOTENCY_PRUNE_EVERY_MS = 60 * 60 * 1000;
// Lapsed holds already reserve nothing in reads and refusals; the job makes the release durable.
const HOLD_EXPIRY_EVERY_MS = 2_000;
// issue 21: credit blocks past their expiry leave the wallet within this long.
const CREDIT_EXPIRY_EVERY_MS = 10_000;
// A short look back, often: a missed webhook is recovered within minutes; `purse reconcile` goes further back.
const RECONCILE_EVERY_MS = 10 * 60 * 1000;
const RECONCILE_JOB_LOOKBACK_SECONDS = 2 * 60 * 60;

/** Every background job of the product. */
export const JOBS: Job[] = [
  { name: 'stripe-inbox-retry', everyMs: INBOX_RETRY_EVERY_MS, run: retryPendingEvents },
  { name: 'idempotency-prune', everyMs: IDEMPOTENCY_PRUNE_EVERY_MS, run: pruneIdempotencyKeys },
  // Returns once sends have started: a slow receiver never holds up the next pass for the others.
  { name: 'webhook-delivery', everyMs: WEBHOOK_WORKER_EVERY_MS, run: (ctx) => runWebhookWorker(ctx, { wait: false }) },
  { name: 'hold-expiry', everyMs: HOLD_EXPIRY_EVERY_MS, run: expireHolds },
  { name: 'credit-expiry', everyMs: CREDIT_EXPIRY_EVERY_MS, run: expireCreditBlocks },
  { name: 'auto-topup', everyMs: AUTO_TOPUP_EVERY_MS, run: runAutoTopups },
  // issue 22: a receipt's card and Stripe receipt link, read once its charge exists.
  { name: 'receipt-charge-details', everyMs: CHARGE_DETAILS_EVERY_MS, run: completeChargeDetails },
  // issue 23: the console overview's hourly totals, folded from the ledger off the request path.
  { name: 'console-rollup', everyMs: ROLLUP_EVERY_MS, run: (ctx) => catchUpLedgerTotals(ctx) },
  // Issue 24: the older copy of a card saved twice is detached at Stripe; what failed is retried here.
  { name: 'card-duplicate-detach', everyMs: DUPLICATE_DETACH_EVERY_MS, run: (ctx) => detachDuplicates(ctx) },
  { name: 'stripe-reconcile', everyMs: RECONCILE_EVERY_MS, run: (ctx) => reconcileStripe(ctx, RECONCILE_JOB_LOOKBACK_SECONDS) },
];
