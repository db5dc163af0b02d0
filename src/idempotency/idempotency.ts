import { createHash } from 'node:crypto';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';

/**
 * `Idempotency-Key` for POSTs (SPEC §3.1): same key and same body → the first response, replayed;
 * same key, other body → 409 IDEMPOTENCY_KEY_REUSED. A key is claimed before the work starts, so two
 * concurrent requests with one key never both run it. A failed attempt releases its claim so the
 * client can retry with the same key. Records are kept at least IDEMPOTENCY_RETENTION_MS.
 *
 * A claim is a lease: an attempt that died mid-flight (process killed) leaves no response, and after
 * IDEMPOTENCY_LEASE_MS a retry takes the claim over and resumes the resource the dead attempt had
 * recorded (the work's `resume.resourceId`), instead of answering IDEMPOTENCY_IN_PROGRESS for a day.
 * The work must finish well within the lease (Stripe's timeout and retries are far shorter).
 */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_LEASE_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** What a resumed attempt knows of the dead one, and how the work records what it creates. */
export interface Resume {
  resourceId: string | null;
  recordResource(resourceId: string): Promise<void>;
}

interface Claim {
  tenantId: string;
  scope: string;
  key: string;
  request: unknown;
}

export function checkIdempotencyKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
    throw fieldError('VALIDATION_ERROR', 'Idempotency-Key', 'must be 1 to 255 printable ASCII characters');
  }
  return raw;
}

export async function runIdempotent<T>(ctx: Ctx, claim: Claim, work: (resume: Resume) => Promise<{ status: number; body: T }>): Promise<StoredResponse<T>> {
  const requestHash = hashRequest(claim.request);
  const db = ctx.store.db;
  const nowMs = ctx.nowMs();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      tenant_id: claim.tenantId, scope: claim.scope, key: claim.key, request_hash: requestHash, response_status: null, response_body: null,
      created_at_ms: BigInt(nowMs), lease_until_ms: BigInt(nowMs + IDEMPOTENCY_LEASE_MS), resource_id: null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'scope', 'key']).doNothing())
    .executeTakeFirst();
  let resourceId: string | null = null;
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) {
    const found = await replayOrTakeOver<T>(ctx, claim, requestHash);
    if ('replayed' in found) return found;
    resourceId = found.resourceId;
  }
  const thisKey = { tenantId: claim.tenantId, scope: claim.scope, key: claim.key };
  const resume: Resume = {
    resourceId,
    recordResource: async (id) => {
      await db.updateTable('idempotency_keys').set({ resource_id: id })
        .where('tenant_id', '=', thisKey.tenantId).where('scope', '=', thisKey.scope).where('key', '=', thisKey.key).execute();
    },
  };
  try {
    const result = await work(resume);
    await db.updateTable('idempotency_keys')
      .set({ response_status: BigInt(result.status), response_body: JSON.stringify(result.body), lease_until_ms: null })
      .where('tenant_id', '=', thisKey.tenantId).where('scope', '=', thisKey.scope).where('key', '=', thisKey.key).execute();
    return { ...result, replayed: false };
  } catch (err) {
    await db.deleteFrom('idempotency_keys')
      .where('tenant_id', '=', thisKey.tenantId).where('scope', '=', thisKey.scope).where('key', '=', thisKey.key).execute();
    throw err;
  }
}

/** The stored response; or, when the holder's lease ran out, the claim taken over with what it had created. */
async function replayOrTakeOver<T>(ctx: Ctx, claim: Claim, requestHash: string): Promise<StoredResponse<T> | { resourceId: string | null }> {
  const db = ctx.store.db;
  const row = await db.selectFrom('idempotency_keys').selectAll()
    .where('tenant_id', '=', claim.tenantId).where('scope', '=', claim.scope).where('key', '=', claim.key)
    .executeTakeFirst();
  // The claim vanished between our insert and this read: the first attempt failed and released it.
  if (!row) throw new PurseError('IDEMPOTENCY_IN_PROGRESS');
  if (row.request_hash !== requestHash) throw new PurseError('IDEMPOTENCY_KEY_REUSED');
  if (row.response_status !== null && row.response_body !== null) {
    return { status: Number(row.response_status), body: JSON.parse(row.response_body) as T, replayed: true };
  }
  const nowMs = ctx.nowMs();
  // Rows claimed before leases existed count from their creation.
  const leaseUntilMs = row.lease_until_ms ?? row.created_at_ms + BigInt(IDEMPOTENCY_LEASE_MS);
  if (leaseUntilMs > BigInt(nowMs)) throw new PurseError('IDEMPOTENCY_IN_PROGRESS');
  // Compare-and-set on the lease we saw: of several retries after expiry, exactly one takes over.
  let takeOver = db.updateTable('idempotency_keys').set({ lease_until_ms: BigInt(nowMs + IDEMPOTENCY_LEASE_MS) })
    .where('tenant_id', '=', claim.tenantId).where('scope', '=', claim.scope).where('key', '=', claim.key)
    .where('response_status', 'is', null);
  takeOver = row.lease_until_ms === null ? takeOver.where('lease_until_ms', 'is', null) : takeOver.where('lease_until_ms', '=', row.lease_until_ms);
  const taken = await takeOver.executeTakeFirst();
  if (taken.numUpdatedRows !== 1n) throw new PurseError('IDEMPOTENCY_IN_PROGRESS');
  ctx.log.warn({ tenantId: claim.tenantId, scope: claim.scope, resourceId: row.resource_id }, 'idempotency claim lease expired; retry resumes the earlier attempt');
  return { resourceId: row.resource_id };
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
