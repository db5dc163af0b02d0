import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Ctx } from '../context.ts';
import type { WebhookDeliveryRow } from '../store/schema.ts';

export type Delivery = Selectable<WebhookDeliveryRow>;

/**
 * Deliveries one instance takes per pass, and per endpoint: sent side by side (each within the timeout),
 * so this is also the most requests one instance has in flight to one receiver. Their outcomes are written
 * in one commit, so a backlog costs two commits (claim, outcomes) per CLAIM_PER_ENDPOINT_MAX events; at 8
 * a single endpoint drained at about 200 events/s on SQLite, at 32 above 1,000 (bench: outbox delivery).
 */
export const CLAIM_BATCH_MAX = 500;
export const CLAIM_PER_ENDPOINT_MAX = 32;

/** Which endpoints a claim may take from: all but the ones this instance is busy with, or just one (its sender continuing). */
export type EndpointScope = { except: readonly string[] } | { only: string };

/**
 * Claims due deliveries: pending, due, not claimed by a live attempt, endpoint enabled, at most
 * CLAIM_PER_ENDPOINT_MAX per endpoint, skipping endpoints this instance is still sending to. The claim
 * (claimed_until_ms) outlives the attempt's timeout; an instance that dies mid-attempt leaves a claim
 * that lapses, and the delivery is taken again. PostgreSQL: FOR UPDATE SKIP LOCKED plus the re-checked
 * guard, so two instances never claim one delivery; SQLite: one writer, the statement is atomic.
 */
export async function claimDueDeliveries(ctx: Ctx, nowMs: number, claimUntilMs: number, endpoints: EndpointScope): Promise<Delivery[]> {
  const now = BigInt(nowMs);
  const busy = 'only' in endpoints ? sql`and endpoint_id = ${endpoints.only}`
    : endpoints.except.length > 0 ? sql`and endpoint_id not in (${sql.join(endpoints.except)})` : sql``;
  const ranked = sql`select id from (
      select id, row_number() over (partition by endpoint_id order by next_attempt_at_ms, id) as endpoint_rank
      from webhook_deliveries
      where state = 'pending' and next_attempt_at_ms <= ${now} and (claimed_until_ms is null or claimed_until_ms <= ${now})
        and endpoint_id in (select id from webhook_endpoints where enabled = 1) ${busy}
    ) as due where endpoint_rank <= ${CLAIM_PER_ENDPOINT_MAX} limit ${CLAIM_BATCH_MAX}`;
  const target = ctx.store.dialect === 'postgres'
    ? sql`select id from webhook_deliveries where id in (${ranked}) for update skip locked`
    : ranked;
  const result = await sql<Delivery>`update webhook_deliveries set claimed_until_ms = ${BigInt(claimUntilMs)}, updated_at_ms = ${now}
    where id in (${target}) and state = 'pending' and (claimed_until_ms is null or claimed_until_ms <= ${now})
    returning *`.execute(ctx.store.db);
  return result.rows.map((row) => ({ ...row, attempts: BigInt(row.attempts), created_at_ms: BigInt(row.created_at_ms) }));
}
