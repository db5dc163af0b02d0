import { emit } from '../events/emit.ts';
import type { Db } from '../store/db.ts';
import type { CardHook } from '../context.ts';

export interface CardFacts {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** What else commits with a saved card: `payment_method.saved`, and the card hooks (auto top-up paused for want of a card resumes). */
export async function onCardSaved(hooks: readonly CardHook[], trx: Db, tenantId: string, card: CardFacts, isDefault: boolean, nowMs: number): Promise<void> {
  await emit(trx, { type: 'payment_method.saved', tenantId, data: { paymentMethodId: card.id, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, isDefault } }, nowMs);
  for (const hook of hooks) await hook.cardSaved?.(trx, tenantId, nowMs);
}

/** What else commits with a removed card: `payment_method.removed`, and the card hooks when it was the last (auto top-up pauses). */
export async function onCardRemoved(hooks: readonly CardHook[], trx: Db, tenantId: string, card: CardFacts, newDefaultId: string | null, lastCardGone: boolean, nowMs: number): Promise<void> {
  await emit(trx, { type: 'payment_method.removed', tenantId, data: { paymentMethodId: card.id, brand: card.brand, last4: card.last4, newDefaultPaymentMethodId: newDefaultId } }, nowMs);
  if (!lastCardGone) return;
  for (const hook of hooks) await hook.lastCardRemoved?.(trx, tenantId, nowMs);
}
