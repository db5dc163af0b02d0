import { PurseError } from '../errors/purse-error.ts';
import { type KeyScope, type Permission, isKeyScope, isPermission } from './permissions.ts';
import { deriveKeySecret, hashSecret, looksLikeKeySecret, safeEqual } from './secrets.ts';
import { SIGNATURE_TOLERANCE_SECONDS, signRequest, timestampFresh } from './signature.ts';
import type { Ctx } from '../context.ts';
import type { Store } from '../store/db.ts';
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

/**
 * Keys found by secret are remembered (by the secret, in this process's memory only) so that most requests skip the lookups and the hash.
 * Revoking a key or disabling a tenant takes effect at once on the instance that does it (any write to
 * `api_keys` or `tenants` through its store empties the cache) and within AUTH_CACHE_TTL_MS on the others.
 */
export const AUTH_CACHE_TTL_MS = 1_000;
export const AUTH_CACHE_ENTRIES_MAX = 10_000;
const KEY_ID_PATTERN = /^key_[0-9A-Z]{26}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
const REPLAY_PRUNE_EVERY = 500;
let insertsSincePrune = 0;

export async function authenticate(ctx: Ctx, req: RequestFacts): Promise<Principal> {
  const apiKey = header(req, 'x-api-key');
  const keyId = header(req, 'x-api-key-id');
  let found: KeyOfTenant | undefined;
  if (apiKey !== undefined) found = await keyBySecret(ctx, apiKey);
  else if (keyId !== undefined) found = await keyBySignature(ctx, keyId, req);
  if (!found || found.key.revoked_at_ms !== null) throw new PurseError('UNAUTHORIZED');
  if (found.tenantStatus !== 'active') throw new PurseError('TENANT_DISABLED');
  const row = found.key;
  const scope = row.scope;
  if (!isKeyScope(scope) || (scope === 'number') !== (row.number_id !== null)) {
    // Fail closed: a key whose stored scope we do not understand authenticates as nothing.
    ctx.log.error({ keyId: row.id, scope }, 'API key has an unknown scope or a number binding that disagrees with it; refused');
    throw new PurseError('UNAUTHORIZED');
  }
  return {
    keyId: row.id,
    tenantId: row.tenant_id,
    scope,
    numberId: row.number_id,
    permissions: row.permissions.split(' ').filter(isPermission),
  };
}

/** Scope first (the seed's 403 for number keys on tenant endpoints), then the permission. */
export function authorize(principal: Principal, need: Requirement): void {
  if (need.scope === 'tenant' && principal.scope !== 'tenant') throw new PurseError('NUMBER_SCOPE_NOT_ALLOWED');
  if (!principal.permissions.includes(need.permission)) throw new PurseError('INSUFFICIENT_SCOPE');
}

/** A key with its tenant's status, read together: a key whose tenant is gone is no key at all. */
interface KeyOfTenant {
  key: ApiKeyRow;
  tenantStatus: string;
}

interface CachedKey extends KeyOfTenant {
  cachedAtMs: number;
  /** The tables' versions when read: any later write to them by this instance makes the entry stale. */
  version: number;
}

const KEY_CACHES = new WeakMap<Store, Map<string, CachedKey>>();

async function keyBySecret(ctx: Ctx, secret: string): Promise<KeyOfTenant | undefined> {
  if (!looksLikeKeySecret(secret)) return undefined;
  const cache = keyCacheOf(ctx.store);
  const nowMs = ctx.nowMs();
  const version = ctx.store.tableVersion('api_keys') + ctx.store.tableVersion('tenants');
  // Looked up by the secret as sent (the request holds it in memory anyway): a hit costs no SHA-256.
  // Only a miss hashes it, to find the stored key by its hash; the secret itself is never stored.
  const cached = cache.get(secret);
  if (cached && cached.version === version && nowMs - cached.cachedAtMs < AUTH_CACHE_TTL_MS) return cached;
  const found = await keysOfTenants(ctx).where('api_keys.secret_hash', '=', hashSecret(secret)).executeTakeFirst();
  if (!found) return undefined;
  const { tenant_status: tenantStatus, ...key } = found;
  if (cache.size >= AUTH_CACHE_ENTRIES_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(secret, { key, tenantStatus, cachedAtMs: nowMs, version });
  return { key, tenantStatus };
}

function keyCacheOf(store: Store): Map<string, CachedKey> {
  let cache = KEY_CACHES.get(store);
  if (!cache) {
    cache = new Map();
    KEY_CACHES.set(store, cache);
  }
  return cache;
}

function keysOfTenants(ctx: Ctx) {
  return ctx.store.db.selectFrom('api_keys').innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id').selectAll('api_keys').select('tenants.status as tenant_status');
}

async function keyBySignature(ctx: Ctx, keyId: string, req: RequestFacts): Promise<KeyOfTenant | undefined> {
  const timestamp = header(req, 'x-timestamp');
  const signature = header(req, 'x-signature')?.toLowerCase();
  if (!KEY_ID_PATTERN.test(keyId) || timestamp === undefined || signature === undefined) return undefined;
  if (!SIGNATURE_PATTERN.test(signature) || !timestampFresh(timestamp, ctx.nowMs())) return undefined;
  const found = await keysOfTenants(ctx).where('api_keys.id', '=', keyId).executeTakeFirst();
  if (!found) return undefined;
  const { tenant_status: tenantStatus, ...key } = found;
  const secret = deriveKeySecret(ctx.secrets.masterKey, key.id, key.salt);
  const expected = signRequest(secret, timestamp, req.method, req.url, req.rawBody);
  if (!safeEqual(expected, signature)) return undefined;
  return (await claimSignature(ctx, key.id, signature)) ? { key, tenantStatus } : undefined;
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
