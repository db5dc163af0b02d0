import { emit } from '../events/emit.ts';
import { toMajorNumber } from '../money/money.ts';
import type { Db } from '../store/db.ts';
import type { AttemptRow } from './config-store.ts';

export type AutoTopupEventType =
  | 'auto_topup.succeeded' | 'auto_topup.failed' | 'auto_topup.action_required' | 'auto_topup.capped' | 'auto_topup.disabled';

/** Through the outbox seam: one row in the same transaction as the change it reports (SPEC §8.3). */
export async function emitAutoTopupEvent(trx: Db, type: AutoTopupEventType, attempt: AttemptRow, extra: Record<string, unknown>, nowMs: number): Promise<void> {
  await emit(trx, {
    type,
    tenantId: attempt.tenant_id,
    data: { attemptId: attempt.id, amount: toMajorNumber(attempt.amount_minor, attempt.currency), currency: attempt.currency, ...extra },
  }, nowMs);
}
