import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './helpers.ts';

/**
 * Issue 24: one live card per fingerprint per tenant. A card saved again under a new payment method (the
 * recovery page pays on-session with the card already on file) retires the older copy, and that copy is
 * detached at Stripe so it is not left attached to the customer there.
 *
 * `duplicate_of`: the payment method that replaced this copy (null for any other card).
 * `detached_at_ms`: when the retired copy was detached at Stripe; null while that is still to do (a job
 * retries it: customers/detach-duplicates.ts).
 *
 * Live copies from before this migration (only a race could make them) are retired here, the newest kept,
 * taking over the default if a retired copy had it; then the unique index guards the rule.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('payment_methods').addColumn('duplicate_of', 'text').execute();
  await db.schema.alterTable('payment_methods').addColumn('detached_at_ms', 'bigint').execute();
  const nowMs = BigInt(Date.now());
  // Each live copy with a newer live sibling (same tenant and fingerprint; created later, or same time and larger id) names the newest.
  await sql`UPDATE payment_methods SET duplicate_of = (
      SELECT newest.id FROM payment_methods newest
      WHERE newest.tenant_id = payment_methods.tenant_id AND newest.fingerprint = payment_methods.fingerprint AND newest.removed_at_ms IS NULL
      ORDER BY newest.created_at_ms DESC, newest.id DESC LIMIT 1)
    WHERE removed_at_ms IS NULL AND fingerprint IS NOT NULL AND EXISTS (
      SELECT 1 FROM payment_methods newer
      WHERE newer.tenant_id = payment_methods.tenant_id AND newer.fingerprint = payment_methods.fingerprint AND newer.removed_at_ms IS NULL
        AND (newer.created_at_ms > payment_methods.created_at_ms OR (newer.created_at_ms = payment_methods.created_at_ms AND newer.id > payment_methods.id)))`.execute(db);
  // Retire them (the one-default index covers live rows only, so a retired default may keep its flag a moment)…
  await sql`UPDATE payment_methods SET removed_at_ms = ${nowMs} WHERE duplicate_of IS NOT NULL AND removed_at_ms IS NULL`.execute(db);
  // …hand a retired default's flag to the copy that replaced it, then clear it on the retired ones.
  await sql`UPDATE payment_methods SET is_default = 1 WHERE removed_at_ms IS NULL AND id IN (
      SELECT duplicate_of FROM payment_methods WHERE duplicate_of IS NOT NULL AND is_default = 1 AND removed_at_ms = ${nowMs})`.execute(db);
  await sql`UPDATE payment_methods SET is_default = 0 WHERE duplicate_of IS NOT NULL AND removed_at_ms = ${nowMs}`.execute(db);
  await db.schema.dropIndex('payment_methods_fingerprint').execute();
  await db.schema.createIndex('payment_methods_one_per_fingerprint').unique().on('payment_methods').columns(['tenant_id', 'fingerprint'])
    .where(sql.ref('fingerprint'), 'is not', null).where(sql.ref('removed_at_ms'), 'is', null).execute();
  await db.schema.createIndex('payment_methods_detach_pending').on('payment_methods').column('id')
    .where(sql.ref('duplicate_of'), 'is not', null).where(sql.ref('detached_at_ms'), 'is', null).execute();
}
