import { Type, type Static } from 'typebox';
import { PurseError } from '../errors/purse-error.ts';
import type { Db, Dialect } from '../store/db.ts';
import type { PaymentMethodRow } from '../store/schema.ts';

export const PaymentMethodSchema = Type.Object({
  id: Type.String({ description: 'Stripe payment method id (pm_…)' }),
  brand: Type.String(),
  last4: Type.String(),
  expMonth: Type.Number(),
  expYear: Type.Number(),
  isDefault: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

export type PaymentMethodView = Static<typeof PaymentMethodSchema>;

export const PaymentMethodParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

export function toPaymentMethodView(r: PaymentMethodRow): PaymentMethodView {
  return {
    id: r.id, brand: r.brand, last4: r.last4, expMonth: Number(r.exp_month), expYear: Number(r.exp_year),
    isDefault: r.is_default === 1n, createdAt: new Date(Number(r.created_at_ms)).toISOString(),
  };
}

/** The tenant's saved cards, default first, then oldest first. */
export async function listPaymentMethods(db: Db, tenantId: string): Promise<PaymentMethodView[]> {
  const rows = await db.selectFrom('payment_methods').selectAll()
    .where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null)
    .orderBy('is_default', 'desc').orderBy('created_at_ms', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toPaymentMethodView);
}

/** The tenant's live card; another tenant's, a removed one or none answer 404 alike. */
export async function findTenantPaymentMethod(db: Db, tenantId: string, id: string): Promise<PaymentMethodRow> {
  const row = await db.selectFrom('payment_methods').selectAll()
    .where('id', '=', id).where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return row;
}

/**
 * Inside a transaction: serialises card changes of one tenant on PostgreSQL (the tenant row is the lock),
 * so two concurrent "make default" calls never both pass the one-default index check and one fail.
 * SQLite write transactions are already serialised.
 */
export async function lockTenantCards(trx: Db, dialect: Dialect, tenantId: string): Promise<void> {
  if (dialect !== 'postgres') return;
  await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirst();
}
