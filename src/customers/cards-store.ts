import type { Selectable } from 'kysely';
import type { Db } from '../store/db.ts';
import type { PaymentMethodRow } from '../store/schema.ts';

/** A saved card as the API shows it (SPEC §8.1). */
export interface CardView {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  isDefault: boolean;
  createdAt: string;
}

export function toCardView(row: Selectable<PaymentMethodRow>): CardView {
  return {
    id: row.id, brand: row.brand, last4: row.last4, expMonth: Number(row.exp_month), expYear: Number(row.exp_year),
    isDefault: row.is_default === 1n, createdAt: new Date(Number(row.created_at_ms)).toISOString(),
  };
}

/** The tenant's live card with this id; another tenant's card or a removed one is none. */
export function findCard(db: Db, tenantId: string, id: string): Promise<Selectable<PaymentMethodRow> | undefined> {
  return db.selectFrom('payment_methods').selectAll()
    .where('id', '=', id).where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null).executeTakeFirst();
}

export function defaultCard(db: Db, tenantId: string): Promise<Selectable<PaymentMethodRow> | undefined> {
  return db.selectFrom('payment_methods').selectAll()
    .where('tenant_id', '=', tenantId).where('is_default', '=', 1n).where('removed_at_ms', 'is', null).executeTakeFirst();
}

export function listCards(db: Db, tenantId: string): Promise<Selectable<PaymentMethodRow>[]> {
  return db.selectFrom('payment_methods').selectAll()
    .where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null)
    .orderBy('is_default', 'desc').orderBy('created_at_ms', 'asc').orderBy('id', 'asc').execute();
}

/**
 * Makes `id` the tenant's only default: the old default is cleared first, so the unique partial index
 * (payment_methods_one_default) never sees two. A concurrent change that slips in between loses on that
 * index and runs again (retryingUniqueRace).
 */
export async function makeDefault(trx: Db, tenantId: string, id: string): Promise<void> {
  await trx.updateTable('payment_methods').set({ is_default: 0n })
    .where('tenant_id', '=', tenantId).where('is_default', '=', 1n).where('id', '!=', id).execute();
  await trx.updateTable('payment_methods').set({ is_default: 1n })
    .where('id', '=', id).where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null).execute();
}

/** After the default went away: the newest remaining card becomes the default. Returns it, if any. */
export async function promoteNewestCard(trx: Db, tenantId: string): Promise<string | undefined> {
  const newest = await trx.selectFrom('payment_methods').select('id')
    .where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null)
    .orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!newest) return undefined;
  await makeDefault(trx, tenantId, newest.id);
  return newest.id;
}
