import { createApiKey, listApiKeys, revokeApiKey } from '../tenants/keys.ts';
import { createNumber, createTenant, getTenant, listTenants, setTenantStatus } from '../tenants/tenants.ts';
import { adjustWallet } from '../wallet/adjust-wallet.ts';
import type { Ctx } from '../context.ts';
import { type Options, UsageError, output } from './output.ts';

/** `purse tenants|numbers|keys|adjust …`: the admin API's operations, straight against the database. */

export async function tenantsCreate(ctx: Ctx, opts: Options): Promise<void> {
  const tenant = await createTenant(ctx, { name: String(opts.name), currency: String(opts.currency) });
  output(opts, tenant, `created tenant ${tenant.id} (${tenant.name}, ${tenant.currency})`);
}

export async function tenantsList(ctx: Ctx, opts: Options): Promise<void> {
  const tenants = await listTenants(ctx);
  output(opts, tenants, tenants.map((t) => `${t.id}  ${t.currency}  ${t.status}  ${t.name}`).join('\n'));
}

export async function tenantsGet(ctx: Ctx, opts: Options, [tenantId]: string[]): Promise<void> {
  const tenant = await getTenant(ctx, tenantId!);
  output(opts, tenant, `${tenant.id}  ${tenant.currency}  ${tenant.status}  ${tenant.name}`);
}

export async function tenantsEnable(ctx: Ctx, opts: Options, [tenantId]: string[]): Promise<void> {
  const tenant = await setTenantStatus(ctx, tenantId!, 'active');
  output(opts, tenant, `enabled tenant ${tenant.id}`);
}

/** `purse adjust`: POST /v1/admin/tenants/:tenantId/adjustments (same validation; a --reference makes a retry safe). */
export async function walletAdjust(ctx: Ctx, opts: Options): Promise<void> {
  const result = await adjustWallet(ctx, String(opts.tenant), {
    amount: String(opts.amount), reason: String(opts.reason),
    reference: typeof opts.reference === 'string' ? opts.reference : undefined, allowNegative: opts.allowNegative === true,
  });
  const { transaction, wallet } = result;
  const what = result.created ? `adjusted by ${transaction.amount} ${wallet.currency} (${transaction.id})` : `already adjusted under this reference (${transaction.id}); nothing moved`;
  output(opts, { transaction, wallet }, `${what}
balance ${wallet.balance}, held ${wallet.held}, available ${wallet.available} ${wallet.currency}`);
}

export async function tenantsDisable(ctx: Ctx, opts: Options, [tenantId]: string[]): Promise<void> {
  const tenant = await setTenantStatus(ctx, tenantId!, 'disabled');
  output(opts, tenant, `disabled tenant ${tenant.id}`);
}

export async function numbersCreate(ctx: Ctx, opts: Options): Promise<void> {
  const number = await createNumber(ctx, String(opts.tenant), { name: String(opts.name) });
  output(opts, number, `created number ${number.id} (${number.name})`);
}

export async function keysCreate(ctx: Ctx, opts: Options): Promise<void> {
  const scope = opts.scope ?? 'tenant';
  if (scope !== 'tenant' && scope !== 'number') throw new UsageError('--scope must be tenant or number');
  const permissions = typeof opts.permissions === 'string' ? opts.permissions.split(',').map((p) => p.trim()) : undefined;
  const numberId = typeof opts.number === 'string' ? opts.number : undefined;
  const key = await createApiKey(ctx, String(opts.tenant), { scope, numberId, permissions });
  output(opts, key, `created ${key.scope} key ${key.id}\nsecret (shown once): ${key.secret}`);
}

export async function keysList(ctx: Ctx, opts: Options): Promise<void> {
  const keys = await listApiKeys(ctx, String(opts.tenant));
  output(opts, keys, keys.map((k) => `${k.id}  ${k.scope}  ${k.permissions.join(',')}  ${k.hint}  ${k.revokedAt ? 'revoked' : 'active'}`).join('\n'));
}

export async function keysRevoke(ctx: Ctx, opts: Options, [keyId]: string[]): Promise<void> {
  const key = await revokeApiKey(ctx, keyId!);
  output(opts, key, `revoked key ${key.id}`);
}
