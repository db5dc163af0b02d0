import { PurseError, assert, fieldError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { type KeyScope, PERMISSIONS, type Permission, isKeyScope, isPermission, permissionsAllowed, permissionsGrantable } from '../auth/permissions.ts';
import { deriveKeySecret, hashSecret, newSalt, secretHint } from '../auth/secrets.ts';
import { findNumber, getTenant } from './tenants.ts';
import type { Ctx } from '../context.ts';
import type { ApiKeyRow } from '../store/schema.ts';

export interface ApiKeyView {
  id: string;
  tenantId: string;
  scope: KeyScope;
  numberId: string | null;
  permissions: Permission[];
  hint: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreateKeyInput {
  scope: KeyScope;
  numberId?: string | undefined;
  permissions?: string[] | undefined;
}

/** Creates a key and returns its secret. The secret is shown this once and never stored. */
export async function createApiKey(ctx: Ctx, tenantId: string, input: CreateKeyInput): Promise<ApiKeyView & { secret: string }> {
  await getTenant(ctx, tenantId);
  const numberId = await checkNumberBinding(ctx, tenantId, input);
  const permissions = checkPermissions(input.scope, input.permissions);
  const id = newId('key');
  const salt = newSalt();
  const secret = deriveKeySecret(ctx.secrets.masterKey, id, salt);
  const nowMs = ctx.nowMs();
  const row: ApiKeyRow = {
    id,
    tenant_id: tenantId,
    number_id: numberId,
    scope: input.scope,
    permissions: permissions.join(' '),
    secret_hash: hashSecret(secret),
    salt,
    hint: secretHint(secret),
    created_at_ms: BigInt(nowMs),
    revoked_at_ms: null,
  };
  await ctx.store.transact((trx) => trx.insertInto('api_keys').values(row).execute());
  return { ...toKeyView(row), secret };
}

export async function listApiKeys(ctx: Ctx, tenantId: string): Promise<ApiKeyView[]> {
  await getTenant(ctx, tenantId);
  const rows = await ctx.store.db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at_ms').execute();
  return rows.map(toKeyView);
}

/** Revoking twice is a no-op that keeps the first revocation time. */
export async function revokeApiKey(ctx: Ctx, keyId: string): Promise<ApiKeyView> {
  const db = ctx.store.db;
  await ctx.store.transact((trx) => trx.updateTable('api_keys').set({ revoked_at_ms: BigInt(ctx.nowMs()) }).where('id', '=', keyId).where('revoked_at_ms', 'is', null).execute());
  const row = await db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return toKeyView(row);
}

async function checkNumberBinding(ctx: Ctx, tenantId: string, input: CreateKeyInput): Promise<string | null> {
  if (input.scope === 'tenant') {
    if (input.numberId !== undefined) throw fieldError('VALIDATION_ERROR', 'numberId', 'only number-scoped keys take a numberId');
    return null;
  }
  if (input.numberId === undefined) throw fieldError('VALIDATION_ERROR', 'numberId', 'is required for a number-scoped key');
  const number = await findNumber(ctx, tenantId, input.numberId);
  if (!number) throw fieldError('VALIDATION_ERROR', 'numberId', 'is not a number of this tenant');
  return number.id;
}

function checkPermissions(scope: KeyScope, requested: string[] | undefined): Permission[] {
  if (requested === undefined) return [...permissionsAllowed(scope)];
  const allowed = permissionsGrantable(scope);
  if (requested.length === 0) throw fieldError('VALIDATION_ERROR', 'permissions', 'must name at least one permission');
  const unique = [...new Set(requested)];
  for (const p of unique) {
    if (!isPermission(p)) throw fieldError('VALIDATION_ERROR', 'permissions', `unknown permission ${JSON.stringify(p).slice(0, 60)} (one of ${PERMISSIONS.join(', ')})`);
    if (!allowed.includes(p)) throw fieldError('VALIDATION_ERROR', 'permissions', `${p} is not available to a ${scope}-scoped key`);
  }
  return unique as Permission[];
}

export function toKeyView(row: ApiKeyRow): ApiKeyView {
  const scope = row.scope;
  assert(isKeyScope(scope), `key ${row.id} has a known scope (${scope})`);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scope,
    numberId: row.number_id,
    permissions: row.permissions.split(' ').filter(isPermission),
    hint: row.hint,
    createdAt: new Date(Number(row.created_at_ms)).toISOString(),
    revokedAt: row.revoked_at_ms === null ? null : new Date(Number(row.revoked_at_ms)).toISOString(),
  };
}
