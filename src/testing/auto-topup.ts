import { randomUUID } from 'node:crypto';
import { asKey, setupTenant, type TestTenant } from './api.ts';
import { saveCard } from './cards.ts';
import { fundWallet } from './ledger.ts';
import type { Rig } from './stripe-rig.ts';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';

/** Helpers shared by the auto top-up tests: a tenant with a card and settings, debits, the worker, Stripe's view. */

export async function tenantWithAutoTopup(rig: Rig, opts: { card?: string; fund?: number; settings?: Record<string, unknown> } = {}): Promise<TestTenant> {
  const tenant = await setupTenant(rig.purse, 'USD');
  await saveCard(rig, tenant, opts.card ?? '4242424242424242');
  if (opts.fund) await fundWallet(rig.purse, tenant.tenantId, opts.fund);
  const res = await asKey(rig.purse, tenant.tenantKey, 'PUT', '/v1/billing/auto-topup', { enabled: true, threshold: 50, amount: 20, ...opts.settings });
  if (res.status !== 200) throw new Error(`auto top-up settings failed ${res.status} ${JSON.stringify(res.body)}`);
  return tenant;
}

export async function debit(rig: Rig, tenant: TestTenant, amount: number | string) {
  return asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': randomUUID() });
}

export async function autoTopupOf(rig: Rig, tenant: TestTenant) {
  return (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/auto-topup')).body;
}

export async function attemptsOf(rig: Rig, tenant: TestTenant): Promise<Array<{ id: string; state: string; amount: number; paymentIntentId: string | null; failure: { code: string } | null }>> {
  return (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/auto-topup/attempts?limit=100')).body.data;
}

export async function balanceOf(rig: Rig, tenant: TestTenant): Promise<number> {
  return (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body.balance;
}

/** Runs the worker once and lets the sandbox's webhooks land. */
export async function work(rig: Rig): Promise<Awaited<ReturnType<typeof runAutoTopups>>> {
  const pass = await runAutoTopups(rig.purse.ctx);
  await rig.sandbox.webhooks.idle();
  return pass;
}

/** Stripe's own record of what was charged for the tenant: succeeded PaymentIntents by their id. */
export function chargesAtStripe(rig: Rig, tenant: TestTenant): string[] {
  const ids = rig.sandbox.events()
    .filter((e) => e.type === 'payment_intent.succeeded')
    .map((e) => e.data.object as { id: string; metadata: Record<string, string> })
    .filter((intent) => intent.metadata.tenantId === tenant.tenantId && intent.metadata.autoTopupAttemptId)
    .map((intent) => intent.id);
  return [...new Set(ids)];
}

export async function autoTopupCredits(rig: Rig, tenant: TestTenant): Promise<number> {
  const rows = await rig.purse.ctx.store.db.selectFrom('ledger_transactions').select('id')
    .where('tenant_id', '=', tenant.tenantId).where('kind', '=', 'auto_topup').execute();
  return rows.length;
}

/** The outbox rows of one type for the tenant (events/emit.ts), oldest first. */
export async function eventsOf(rig: Rig, tenant: TestTenant, type: string): Promise<Array<Record<string, unknown>>> {
  const rows = await rig.purse.ctx.store.db.selectFrom('events').select('data')
    .where('tenant_id', '=', tenant.tenantId).where('type', '=', type).orderBy('created_at_ms').orderBy('id').execute();
  return rows.map((row) => JSON.parse(row.data) as Record<string, unknown>);
}
