import { toMajorNumber } from '../money/money.ts';
import type { Db } from '../store/db.ts';
import type { AttemptRow } from './config-store.ts';

export type AutoTopupEventType =
  | 'auto_topup.succeeded' | 'auto_topup.failed' | 'auto_topup.action_required' | 'auto_topup.capped' | 'auto_topup.disabled';

/** The outgoing event's data for an attempt (SPEC §8.3), written in the same transaction as the change. */
export function attemptEventData(attempt: AttemptRow, extra: Record<string, unknown>): Record<string, unknown> {
  return { attemptId: attempt.id, amount: toMajorNumber(attempt.amount_minor, attempt.currency), currency: attempt.currency, ...extra };
}

/** Emits through the outbox seam; until it lands this is where the call goes. */
export async function emitAutoTopupEvent(trx: Db, type: AutoTopupEventType, attempt: AttemptRow, extra: Record<string, unknown>, nowMs: number): Promise<void> {
  void trx;
  void type;
  void nowMs;
  attemptEventData(attempt, extra);
}
