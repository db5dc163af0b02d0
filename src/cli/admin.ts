import { createApiKey, listApiKeys, revokeApiKey } from '../tenants/keys.ts';
import { createNumber, createTenant, listTenants, setTenantStatus } from '../tenants/tenants.ts';
import type { Ctx } from '../context.ts';
import { UsageError, flags, optional, output, required } from './args.ts';

/** `purse tenants|numbers|keys …`: the admin API's operations, straight against the database. */
export async function adminCommand(ctx: Ctx, group: string, argv: string[]): Promise<void> {
  const [action = '', ...rest] = argv;
  const handler = HANDLERS[`${group} ${action}`];
  if (!handler) throw new UsageError(`unknown command: purse ${group} ${action}`.trim());
  await handler(ctx, rest);
}

type Handler = (ctx: Ctx, argv: string[]) => Promise<void>;

const HANDLERS: Record<string, Handler> = {
  'tenants create': async (ctx, argv) => {
    const { values } = flags(argv, { name: 'string', currency: 'string', json: 'boolean' });
    const tenant = await createTenant(ctx, { name: required(values, 'name'), currency: required(values, 'currency') });
    output(values, tenant, `created tenant ${tenant.id} (${tenant.name}, ${tenant.currency})`);
  },
  'tenants list': async (ctx, argv) => {
    const { values } = flags(argv, { json: 'boolean' });
    const tenants = await listTenants(ctx);
    output(values, tenants, tenants.map((t) => `${t.id}  ${t.currency}  ${t.status}  ${t.name}`).join('\n'));
  },
  'tenants disable': async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const tenant = await setTenantStatus(ctx, positional(positionals, 'tenantId'), 'disabled');
    output(values, tenant, `disabled tenant ${tenant.id}`);
  },
  'numbers create': async (ctx, argv) => {
    const { values } = flags(argv, { tenant: 'string', name: 'string', json: 'boolean' });
    const number = await createNumber(ctx, required(values, 'tenant'), { name: required(values, 'name') });
    output(values, number, `created number ${number.id} (${number.name})`);
  },
  'keys create': async (ctx, argv) => {
    const { values } = flags(argv, { tenant: 'string', scope: 'string', number: 'string', permissions: 'string', json: 'boolean' });
    const scope = optional(values, 'scope') ?? 'tenant';
    if (scope !== 'tenant' && scope !== 'number') throw new UsageError('--scope must be tenant or number');
    const permissions = optional(values, 'permissions')?.split(',').map((p) => p.trim());
    const key = await createApiKey(ctx, required(values, 'tenant'), { scope, numberId: optional(values, 'number'), permissions });
    output(values, key, `created ${key.scope} key ${key.id}\nsecret (shown once): ${key.secret}`);
  },
  'keys list': async (ctx, argv) => {
    const { values } = flags(argv, { tenant: 'string', json: 'boolean' });
    const keys = await listApiKeys(ctx, required(values, 'tenant'));
    output(values, keys, keys.map((k) => `${k.id}  ${k.scope}  ${k.permissions.join(',')}  ${k.hint}  ${k.revokedAt ? 'revoked' : 'active'}`).join('\n'));
  },
  'keys revoke': async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const key = await revokeApiKey(ctx, positional(positionals, 'keyId'));
    output(values, key, `revoked key ${key.id}`);
  },
};

function positional(positionals: string[], name: string): string {
  const value = positionals[0];
  if (!value) throw new UsageError(`<${name}> is required`);
  return value;
}
