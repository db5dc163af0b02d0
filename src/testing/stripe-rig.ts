import Stripe from 'stripe';
import { type Sandbox, createManualClock, startSandbox } from '../sandbox/index.ts';
import { SANDBOX_SECRET_KEY, gatewayFromConfig, stripeClient } from '../gateway/stripe-gateway.ts';
import { parseConfig } from '../config/config.ts';
import { asKey, setupTenant, type TestTenant } from './api.ts';
import { type TestPurse, type TestPurseOptions, startTestPurse } from './harness.ts';

/**
 * Purse listening on a real port, the Stripe sandbox beside it delivering signed webhooks to it over
 * HTTP, one shared manual clock, and a tenant with keys. What a top-up test stands on.
 */
export const RIG_WEBHOOK_SECRET = 'whsec_purse_rig_secret_0123456789';
const RIG_START_MS = Date.UTC(2026, 10, 22, 12, 0, 0);
const FAST_RETRY = { baseDelayMs: 1, delayMaxMs: 5, attemptsMax: 4, timeoutMs: 5_000 };

export interface Rig {
  purse: TestPurse;
  sandbox: Sandbox;
  /** The test's own view of Stripe: an SDK client on the sandbox (Purse's goes through ctx.payments). */
  stripe: Stripe;
  tenant: TestTenant;
  baseUrl: string;
  close(): Promise<void>;
}

export interface RigOptions {
  env?: Record<string, string>;
  /** false: the sandbox records events but nobody receives them; tests deliver by hand. */
  deliverWebhooks?: boolean;
  currency?: string;
  /** Further options for the Purse (its Stripe gateway and clock are the rig's). */
  purse?: Omit<TestPurseOptions, 'payments' | 'nowMs'>;
  /** Listen on this port (so PUBLIC_URL can name it); a free one by default. */
  port?: number;
}

const RIG_STRIPE_TIMEOUT_MS = 5_000;

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const clock = createManualClock(RIG_START_MS);
  const sandbox = await startSandbox({ port: 0, clock, webhookSecret: RIG_WEBHOOK_SECRET, webhookRetry: FAST_RETRY });
  const env = { STRIPE_TIMEOUT_MS: '2000', ...opts.env };
  const payments = gatewayFromConfig(parseConfig({ ...env, STRIPE_SANDBOX_PORT: String(sandbox.port) }), sandbox);
  const purse = await startTestPurse(env, { ...opts.purse, payments, nowMs: () => clock.nowMs() });
  const baseUrl = await purse.app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  if (opts.deliverWebhooks !== false) sandbox.addWebhookEndpoint(`${baseUrl}/v1/webhooks/stripe`);
  const tenant = await setupTenant(purse, opts.currency ?? 'BRL');
  const stripe = stripeClient({ secretKey: SANDBOX_SECRET_KEY, apiUrl: sandbox.url, timeoutMs: RIG_STRIPE_TIMEOUT_MS });
  return {
    purse, sandbox, tenant, baseUrl, stripe,
    async close() {
      await sandbox.close();
      await purse.close();
    },
  };
}

export async function createTopup(rig: Rig, amount: number | string, headers: Record<string, string> = {}) {
  const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount }, headers);
  if (res.status !== 200) throw new Error(`checkout failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { url: string; orderId: string; amount: number; currency: string; purpose: string };
}

export async function orderOf(rig: Rig, orderId: string) {
  return (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', `/v1/billing/checkout/${orderId}`)).body;
}

/** Minor units of every currency the tests use fit in this scale (three decimals at most). */
const MAJOR_SCALE = 1000;

/**
 * Adds two major-unit amounts as the API would print their sum: 28.29 + 42 is 70.28999999999999 in floating
 * point, so a test comparing the wallet's JSON balance with before + credit would fail by chance.
 */
export function plusMajor(a: number, b: number): number {
  return (Math.round(a * MAJOR_SCALE) + Math.round(b * MAJOR_SCALE)) / MAJOR_SCALE;
}

export async function walletOf(rig: Rig) {
  return (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/wallet')).body as { balance: number; held: number; available: number; currency: string };
}

export function sessionIdOf(url: string): string {
  const match = /(cs_test_[A-Za-z0-9]+)/.exec(url);
  if (!match) throw new Error(`no session id in ${url}`);
  return match[1]!;
}

/** Signs an event exactly as Stripe does, at the rig clock's time (or another), for hand delivery. */
export function signedDelivery(payload: string, timestampSeconds: number, secret = RIG_WEBHOOK_SECRET): Record<string, string> {
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds });
  return { 'stripe-signature': header, 'content-type': 'application/json' };
}

export async function deliver(rig: Rig, payload: string, timestampSeconds = Math.floor(rig.sandbox.clock.nowMs() / 1000), secret?: string) {
  const res = await fetch(`${rig.baseUrl}/v1/webhooks/stripe`, { method: 'POST', headers: signedDelivery(payload, timestampSeconds, secret), body: payload });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
