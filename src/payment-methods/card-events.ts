import type { Db } from '../store/db.ts';
import { pauseForNoCard, resumeForNewCard } from '../auto-topup/card-changes.ts';

/** What else commits with a saved card: auto top-up paused for want of a card resumes. */
export async function onCardSaved(trx: Db, tenantId: string, _paymentMethodId: string, nowMs: number): Promise<void> {
  await resumeForNewCard(trx, tenantId, nowMs);
}

/** What else commits with a removed card: removing the last one pauses auto top-up. */
export async function onCardRemoved(trx: Db, tenantId: string, _paymentMethodId: string, lastCardGone: boolean, nowMs: number): Promise<void> {
  if (lastCardGone) await pauseForNoCard(trx, tenantId, nowMs);
}
