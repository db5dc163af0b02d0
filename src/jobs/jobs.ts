import { pruneIdempotencyKeys } from '../idempotency/idempotency.ts';
import { retryPendingEvents } from '../stripe/inbox.ts';
import type { Job } from './scheduler.ts';

const INBOX_RETRY_EVERY_MS = 5_000;
const IDEMPOTENCY_PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Every background job of the product. */
export const JOBS: Job[] = [
  { name: 'stripe-inbox-retry', everyMs: INBOX_RETRY_EVERY_MS, run: retryPendingEvents },
  { name: 'idempotency-prune', everyMs: IDEMPOTENCY_PRUNE_EVERY_MS, run: pruneIdempotencyKeys },
];
