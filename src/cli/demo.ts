import { createApiKey } from '../tenants/keys.ts';
import { createNumber, createTenant } from '../tenants/tenants.ts';
import type { Ctx } from '../context.ts';

export interface Demo {
  tenantId: string;
  numberId: string;
  tenantKey: string;
  numberKey: string;
}

const DEMO_CURRENCY = 'BRL';

/**
 * On the very first start of an empty development database, a demo tenant with a tenant key and a
 * number key, so a newcomer can call the API within a minute. Never in production.
 */
export async function createDemoIfEmpty(ctx: Ctx): Promise<Demo | undefined> {
  if (ctx.config.env === 'production') return undefined;
  const any = await ctx.store.db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  const tenant = await createTenant(ctx, { name: 'Demo Tenant', currency: DEMO_CURRENCY });
  const number = await createNumber(ctx, tenant.id, { name: 'demo-number' });
  const tenantKey = await createApiKey(ctx, tenant.id, { scope: 'tenant' });
  const numberKey = await createApiKey(ctx, tenant.id, { scope: 'number', numberId: number.id });
  return { tenantId: tenant.id, numberId: number.id, tenantKey: tenantKey.secret, numberKey: numberKey.secret };
}

export function demoInstructions(baseUrl: string, demo: Demo): string {
  return [
    '',
    'A demo tenant was created (this is printed once — the keys are not stored in readable form):',
    `  tenant     ${demo.tenantId} (${DEMO_CURRENCY})`,
    `  number     ${demo.numberId}`,
    `  tenant key ${demo.tenantKey}`,
    `  number key ${demo.numberKey}`,
    '',
    'Try it:',
    `  curl -s ${baseUrl}/v1/billing/wallet -H 'x-api-key: ${demo.tenantKey}'`,
    `  curl -s -X POST ${baseUrl}/v1/billing/checkout -H 'x-api-key: ${demo.tenantKey}' -H 'content-type: application/json' -d '{"purpose":"wallet_topup","amount":50}'`,
    '  # open the returned "url" in a browser, pay with 4242 4242 4242 4242, then read the wallet again',
    '',
  ].join('\n');
}
