import { PurseError } from '../errors/purse-error.ts';
import { type KeyScope, type Permission, isPermission } from './permissions.ts';
import { deriveKeySecret, hashSecret, looksLikeKeySecret, safeEqual } from './secrets.ts';
import { SIGNATURE_TOLERANCE_SECONDS, signRequest, timestampFresh } from './signature.ts';
import type { Ctx } from '../context.ts';
import type { ApiKeyRow } from '../store/schema.ts';

/** Who is calling: resolved from a valid, unrevoked key of an active tenant. */
export interface Principal {
  keyId: string;
  tenantId: string;
  scope: KeyScope;
  numberId: string | null;
  permissions: Permission[];
}

export interface Requirement {
  /** `tenant`: only tenant-scoped keys; `any`: number-scoped keys too. */
  scope: 'tenant' | 'any';
  permission: Permission;
}

export interface RequestFacts {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  url: string;
  rawBody: string | Buffer;
}

const KEY_ID_PATTERN = /^key_[0-9A-Z]{26}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
const REPLAY_PRUNE_EVERY = 500;
let insertsSincePrune = 0;

export async function authenticate(ctx: Ctx, req: RequestFacts): Promise<Principal> {
  const apiKey = header(req, 'x-api-key');
  const keyId = header(req, 'x-api-key-id');
  let row: ApiKeyRow | undefined;
  if (apiKey !== undefined) row = await keyBySecret(ctx, apiKey);
  else if (keyId !== undefined) row = await keyBySignature(ctx, keyId, req);
  if (!row || row.revoked_at_ms !== null) throw new PurseError('UNAUTHORIZED');
  const tenant = await ctx.store.db.selectFrom('tenants').select('status').where('id', '=', row.tenant_id).executeTakeFirst();
  if (!tenant) throw new PurseError('UNAUTHORIZED');
  if (tenant.status !== 'active') throw new PurseError('TENANT_DISABLED');
  return {
    keyId: row.id,
    tenantId: row.tenant_id,
    scope: row.scope === 'number' ? 'number' : 'tenant',
    numberId: row.number_id,
    permissions: row.permissions.split(' ').filter(isPermission),
  };
}

/** Scope first (the seed's 403 for number keys on tenant endpoints), then the permission. */
export function authorize(principal: Principal, need: Requirement): void {
  if (need.scope === 'tenant' && principal.scope !== 'tenant') throw new PurseError('NUMBER_SCOPE_NOT_ALLOWED');
  if (!principal.permissions.includes(need.permission)) throw new PurseError('INSUFFICIENT_SCOPE');
}

async function keyBySecret(ctx: Ctx, secret: string): Promise<ApiKeyRow | undefined> {
  if (!looksLikeKeySecret(secret)) return undefined;
  return ctx.store.db.selectFrom('api_keys').selectAll().where('secret_hash', '=', hashSecret(secret)).executeTakeFirst();
}

async function keyBySignature(ctx: Ctx, keyId: string, req: RequestFacts): Promise<ApiKeyRow | undefined> {
  const timestamp = header(req, 'x-timestamp');
  const signature = header(req, 'x-signature')?.toLowerCase();
  if (!KEY_ID_PATTERN.test(keyId) || timestamp === undefined || signature === undefined) return undefined;
  if (!SIGNATURE_PATTERN.test(signature) || !timestampFresh(timestamp, ctx.nowMs())) return undefined;
  const row = await ctx.store.db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
  if (!row) return undefined;
  const secret = deriveKeySecret(ctx.secrets.masterKey, row.id, row.salt);
  const expected = signRequest(secret, timestamp, req.method, req.url, req.rawBody);
  if (!safeEqual(expected, signature)) return undefined;
  return (await claimSignature(ctx, row.id, signature)) ? row : undefined;
}

/** Each signature is accepted once: the first request to claim it wins, across every instance. */
async function claimSignature(ctx: Ctx, keyId: string, signature: string): Promise<boolean> {
  const nowMs = ctx.nowMs();
  const expiresAtMs = BigInt(nowMs + 2 * SIGNATURE_TOLERANCE_SECONDS * 1000);
  const result = await ctx.store.db
    .insertInto('used_signatures')
    .values({ key_id: keyId, signature, expires_at_ms: expiresAtMs })
    .onConflict((oc) => oc.columns(['key_id', 'signature']).doNothing())
    .executeTakeFirst();
  if (++insertsSincePrune >= REPLAY_PRUNE_EVERY) {
    insertsSincePrune = 0;
    await ctx.store.db.deleteFrom('used_signatures').where('expires_at_ms', '<', BigInt(nowMs)).execute();
  }
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

function header(req: RequestFacts, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value)) return undefined;
  return value === undefined || value === '' ? undefined : value;
}
