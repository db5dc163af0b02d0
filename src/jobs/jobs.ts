import { pruneIdempotencyKeys } from '../idempotency/idempotency.ts';
import { retryPendingEvents } from '../stripe/inbox.ts';
import { expireHolds } from '../wallet/expire-holds.ts';
import type { Job } from './scheduler.ts';

const INBOX_RETRY_EVERY_MS = 5_000;
const IDEMPOTENCY_PRUNE_EVERY_MS = 60 * 60 * 1000;
// Lapsed holds already reserve nothing in reads and refusals; the job makes the release durable.
const HOLD_EXPIRY_EVERY_MS = 2_000;

/** Every background job of the product. */
export const JOBS: Job[] = [
  { name: 'stripe-inbox-retry', everyMs: INBOX_RETRY_EVERY_MS, run: retryPendingEvents },
  { name: 'idempotency-prune', everyMs: IDEMPOTENCY_PRUNE_EVERY_MS, run: pruneIdempotencyKeys },
  { name: 'hold-expiry', everyMs: HOLD_EXPIRY_EVERY_MS, run: expireHolds },
];
