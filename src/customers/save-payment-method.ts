import type { SavedCard } from '../gateway/payment-gateway.ts';
import type { Ctx } from '../context.ts';
import type { Db } from '../store/db.ts';
import { retryingUniqueRace } from '../store/unique-violation.ts';
import { defaultCard, makeDefault } from './cards-store.ts';
import { onCardSaved } from './card-events.ts';
import { detachDuplicates } from './detach-duplicates.ts';

export type SaveOutcome = 'saved' | 'already_saved' | 'no_payment_method' | 'not_a_card';

/**
 * After a setup-mode checkout: read the card Stripe saved and keep its display facts (brand, last4,
 * expiry), exactly as Stripe reports them. It becomes the default when the tenant had none. Saving the
 * same card twice is a no-op.
 */
export async function savePaymentMethodFromSetup(ctx: Ctx, tenantId: string, setupIntentId: string | null): Promise<SaveOutcome> {
  if (!setupIntentId) return 'no_payment_method';
  const saved = await ctx.payments.cardOfSetup(setupIntentId);
  if (!saved) return 'no_payment_method';
  return savePaymentMethod(ctx, tenantId, saved.paymentMethodId, { makeDefault: false });
}

/**
 * Saves a card Stripe holds for the tenant's customer. `makeDefault` makes it the default even when
 * another card is (a card the customer just authenticated on-session to recover auto top-up).
 */
export async function savePaymentMethod(ctx: Ctx, tenantId: string, pmId: string, opts: { makeDefault: boolean }): Promise<SaveOutcome> {
  const card = await ctx.payments.cardOf(pmId);
  if (!card) {
    ctx.log.warn({ tenantId, paymentMethodId: pmId }, 'saved payment method is not a complete card; not kept');
    return 'not_a_card';
  }
  const outcome = await retryingUniqueRace(() => storeCard(ctx, tenantId, card, opts.makeDefault));
  // The older copy of the same card, retired as this one was stored, goes at Stripe too (retried by a job).
  if (outcome === 'saved') await detachDuplicates(ctx, tenantId);
  return outcome;
}

async function storeCard(ctx: Ctx, tenantId: string, card: SavedCard, forceDefault: boolean): Promise<SaveOutcome> {
  const pm = { id: card.paymentMethodId };
  const customerId = card.customerId;
  const nowMs = ctx.nowMs();
  return ctx.store.transact(async (trx) => {
    // Retire the older copy of the same card before inserting: the unique (tenant, fingerprint) index over
    // live cards (migration 0016) admits one. A concurrent save of the same id or card hits a unique
    // violation and is retried (retryingUniqueRace), finding this one.
    const known = await trx.selectFrom('payment_methods').select('id').where('id', '=', pm.id).executeTakeFirst();
    const isNew = known === undefined;
    const replacedDefault = isNew ? await retireSameCard(trx, tenantId, card, nowMs) : false;
    if (isNew) {
      await trx.insertInto('payment_methods').values({
        id: pm.id, tenant_id: tenantId, stripe_customer_id: customerId ?? '', brand: card.brand, last4: card.last4,
        exp_month: BigInt(card.expMonth), exp_year: BigInt(card.expYear), is_default: 0n, created_at_ms: BigInt(nowMs), removed_at_ms: null,
        fingerprint: card.fingerprint, duplicate_of: null, detached_at_ms: null,
      }).execute();
    }
    const current = await defaultCard(trx, tenantId);
    const becomesDefault = !current || replacedDefault || (forceDefault && current.id !== pm.id);
    if (becomesDefault) await makeDefault(trx, tenantId, pm.id);
    if (!isNew) return 'already_saved';
    const isDefault = becomesDefault || current?.id === pm.id;
    await onCardSaved(ctx.cardHooks ?? [], trx, tenantId, { id: pm.id, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear }, isDefault, nowMs);
    return 'saved';
  }, { key: tenantId });
}

/**
 * The same card saved again under a new payment method (the recovery page pays on-session with the card
 * already on file, and Stripe makes a new one): the older copies leave the list, so the customer sees the
 * card once, and the new one, with the fresh authentication, is the one charged from now on; the old copy is
 * detached at Stripe after the commit (detach-duplicates.ts). True when one
 * of them was the default (the new one takes its place). By Stripe's card fingerprint; none, no match.
 */
async function retireSameCard(trx: Db, tenantId: string, card: SavedCard, nowMs: number): Promise<boolean> {
  if (card.fingerprint === null) return false;
  const same = await trx.selectFrom('payment_methods').select(['id', 'is_default'])
    .where('tenant_id', '=', tenantId).where('fingerprint', '=', card.fingerprint).where('id', '!=', card.paymentMethodId)
    .where('removed_at_ms', 'is', null).execute();
  if (same.length === 0) return false;
  await trx.updateTable('payment_methods').set({ removed_at_ms: BigInt(nowMs), is_default: 0n, duplicate_of: card.paymentMethodId })
    .where('id', 'in', same.map((row) => row.id)).where('tenant_id', '=', tenantId).execute();
  return same.some((row) => row.is_default === 1n);
}
