import { PostgresAdapter, type Selectable, sql } from 'kysely';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import type { Db } from '../store/db.ts';
import type { WebhookEndpointRow } from '../store/schema.ts';

/** Who is asking: the operator sees every endpoint; a tenant only the ones it created for itself. */
export type EndpointOwner = { kind: 'admin' } | { kind: 'tenant'; tenantId: string };

export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  tenantId: string | null;
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export type Endpoint = Selectable<WebhookEndpointRow>;

export const ENDPOINT_PAGE_SIZE_DEFAULT = 20;
export const ENDPOINT_PAGE_SIZE_MAX = 100;
const ID_CURSOR_PATTERN = /^[a-z]{2,3}_[0-9A-HJKMNP-TV-Z]{26}$/;

export function toEndpointView(row: Endpoint): EndpointView {
  return {
    id: row.id,
    url: row.url,
    events: parseEvents(row.events),
    tenantId: row.tenant_id,
    description: row.description,
    enabled: row.enabled === 1n,
    disabledReason: row.disabled_reason,
    createdAt: new Date(Number(row.created_at_ms)).toISOString(),
    updatedAt: new Date(Number(row.updated_at_ms)).toISOString(),
  };
}

/** Stored as a JSON array of strings written by us; anything else is a corrupted row and fails loudly. */
export function parseEvents(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === 'string')) throw new Error(`Invariant violated: endpoint events ${text} is a string array`);
  return parsed;
}

/** The endpoint if this owner may see it; another tenant's (or an operator's) answers 404. */
export async function findOwnedEndpoint(db: Db, owner: EndpointOwner, id: string): Promise<Endpoint> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id)
    .$if(owner.kind === 'tenant', (qb) => qb.where('owner', '=', 'tenant').where('tenant_id', '=', owner.kind === 'tenant' ? owner.tenantId : ''))
    .executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return row;
}

export function parsePageLimit(raw: string | undefined): number {
  if (raw === undefined) return ENDPOINT_PAGE_SIZE_DEFAULT;
  const limit = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= ENDPOINT_PAGE_SIZE_MAX)) throw fieldError('VALIDATION_ERROR', 'limit', `must be an integer from 1 to ${ENDPOINT_PAGE_SIZE_MAX}`);
  return limit;
}

/** Cursors of these lists are the last id of the previous page (ULIDs sort by time). */
export function parseIdCursor(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!ID_CURSOR_PATTERN.test(raw)) throw fieldError('CURSOR_INVALID', 'cursor', 'is not a cursor returned by this endpoint');
  return raw;
}

/** pg_advisory_xact_lock key for refreshDebitedSubscriptions ("purse:debited_subscribed", any fixed 64-bit number). */
const SUBSCRIPTIONS_LOCK_KEY = 0x7075_7273_6564n;

/**
 * Keeps wallets.debited_subscribed true exactly where an enabled endpoint covering the tenant names
 * wallet.debited, so the debit path learns it from the row it already updates. Run in the transaction
 * that changed an endpoint, and in the one that opens a tenant's wallet (tenants.ts: a wallet made after its
 * endpoints is subscribed from birth); `tenantId` null (an operator-wide endpoint) refreshes every wallet.
 */
export async function refreshDebitedSubscriptions(db: Db, tenantId: string | null): Promise<void> {
  // PostgreSQL (READ COMMITTED): a tenant created while an endpoint is registered would see no endpoint, and
  // the endpoint's refresh no wallet, each uncommitted to the other. One transaction-scoped lock orders every
  // refresh (endpoint changes and new wallets alike); the statement after it sees the other side committed.
  // SQLite's write transactions are serial already.
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`SELECT pg_advisory_xact_lock(${SUBSCRIPTIONS_LOCK_KEY})`.execute(db);
  await db.updateTable('wallets')
    .set((eb) => ({
      debited_subscribed: eb.case().when(eb.exists(
        eb.selectFrom('webhook_endpoints as e').select('e.id')
          .where('e.enabled', '=', 1n)
          .where('e.events', 'like', '%"wallet.debited"%')
          .where((w) => w.or([w('e.tenant_id', 'is', null), w('e.tenant_id', '=', w.ref('wallets.tenant_id'))])),
      )).then(sql<bigint>`1`).else(sql<bigint>`0`).end(),
    }))
    .$if(tenantId !== null, (qb) => qb.where('tenant_id', '=', tenantId!))
    .execute();
}
