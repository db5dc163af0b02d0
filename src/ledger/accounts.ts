import type { Db } from '../store/db.ts';

/** System accounts, one per currency. Their balances are derived from postings, never cached. */
export type SystemAccountKind = 'stripe_clearing' | 'usage_revenue' | 'adjustments' | 'refunds' | 'disputes' | 'promotions' | 'expired_credits';
const SYSTEM_KINDS: readonly SystemAccountKind[] = ['stripe_clearing', 'usage_revenue', 'adjustments', 'refunds', 'disputes', 'promotions', 'expired_credits'];

export function walletAccountId(tenantId: string): string {
  return `wallet:${tenantId}`;
}

export function systemAccountId(kind: SystemAccountKind, currency: string): string {
  return `system:${kind}:${currency}`;
}

/** Creates a tenant's wallet and makes sure the system accounts of its currency exist. Call inside a transaction. */
export async function openWallet(db: Db, tenantId: string, currency: string, nowMs: number): Promise<void> {
  const systemRows = SYSTEM_KINDS.map((kind) => ({
    id: systemAccountId(kind, currency),
    tenant_id: null,
    kind,
    currency,
    created_at_ms: BigInt(nowMs),
  }));
  await db.insertInto('ledger_accounts').values(systemRows).onConflict((oc) => oc.column('id').doNothing()).execute();
  const accountId = walletAccountId(tenantId);
  await db
    .insertInto('ledger_accounts')
    .values({ id: accountId, tenant_id: tenantId, kind: 'wallet', currency, created_at_ms: BigInt(nowMs) })
    .execute();
  await db
    .insertInto('wallets')
    .values({ tenant_id: tenantId, account_id: accountId, currency, balance_minor: 0n, held_minor: 0n, updated_at_ms: BigInt(nowMs) })
    .execute();
}
