import { createHash } from 'node:crypto';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';

/**
 * `Idempotency-Key` for POSTs (SPEC §3.1): same key and same body → the first response, replayed;
 * same key, other body → 409 IDEMPOTENCY_KEY_REUSED. A key is claimed before the work starts, so two
 * concurrent requests with one key never both run it. A failed attempt releases its claim so the
 * client can retry with the same key. Records are kept at least IDEMPOTENCY_RETENTION_MS.
 */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

export function checkIdempotencyKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
    throw fieldError('VALIDATION_ERROR', 'Idempotency-Key', 'must be 1 to 255 printable ASCII characters');
  }
  return raw;
}

export async function runIdempotent<T>(
  ctx: Ctx,
  claim: { tenantId: string; scope: string; key: string; request: unknown },
  work: () => Promise<{ status: number; body: T }>,
): Promise<StoredResponse<T>> {
  const requestHash = hashRequest(claim.request);
  const db = ctx.store.db;
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ tenant_id: claim.tenantId, scope: claim.scope, key: claim.key, request_hash: requestHash, response_status: null, response_body: null, created_at_ms: BigInt(ctx.nowMs()) })
    .onConflict((oc) => oc.columns(['tenant_id', 'scope', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) return replay<T>(ctx, claim, requestHash);
  const where = { tenant_id: claim.tenantId, scope: claim.scope, key: claim.key };
  try {
    const result = await work();
    await db
      .updateTable('idempotency_keys')
      .set({ response_status: BigInt(result.status), response_body: JSON.stringify(result.body) })
      .where('tenant_id', '=', where.tenant_id).where('scope', '=', where.scope).where('key', '=', where.key)
      .execute();
    return { ...result, replayed: false };
  } catch (err) {
    await db.deleteFrom('idempotency_keys').where('tenant_id', '=', where.tenant_id).where('scope', '=', where.scope).where('key', '=', where.key).execute();
    throw err;
  }
}

async function replay<T>(ctx: Ctx, claim: { tenantId: string; scope: string; key: string }, requestHash: string): Promise<StoredResponse<T>> {
  const row = await ctx.store.db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', claim.tenantId).where('scope', '=', claim.scope).where('key', '=', claim.key)
    .executeTakeFirst();
  // The claim vanished between our insert and this read: the first attempt failed and released it.
  if (!row) throw new PurseError('IDEMPOTENCY_IN_PROGRESS');
  if (row.request_hash !== requestHash) throw new PurseError('IDEMPOTENCY_KEY_REUSED');
  if (row.response_status === null || row.response_body === null) throw new PurseError('IDEMPOTENCY_IN_PROGRESS');
  return { status: Number(row.response_status), body: JSON.parse(row.response_body) as T, replayed: true };
}

/** Canonical JSON (sorted keys) so that key order or whitespace never makes "the same body" differ. */
export function hashRequest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export async function pruneIdempotencyKeys(ctx: Ctx): Promise<void> {
  await ctx.store.db.deleteFrom('idempotency_keys').where('created_at_ms', '<', BigInt(ctx.nowMs() - IDEMPOTENCY_RETENTION_MS)).execute();
}
