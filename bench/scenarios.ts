import type { Request, RequestParams } from 'autocannon';
import Stripe from 'stripe';
import { type BenchTenant, TOPUP_AMOUNT_MAJOR } from './fixtures.ts';
import { type LoadResult, type SequentialResult, runLoad, runSequential, summariseSequential } from './http-load.ts';
import type { BenchOptions } from './options.ts';
import { type SignedEvent } from './webhooks.ts';

/** Every HTTP scenario: the request Purse's clients would send, kept unique where Purse requires it. */
export interface Scene {
  purseUrl: string;
  options: BenchOptions;
  runTag: string;
}

export const DEBIT_AMOUNT = '0.01';
const HOLD_AMOUNT = '0.02';
const CAPTURE_AMOUNT = '0.01';
const JSON_HEADERS = { 'content-type': 'application/json' };

let uniqueCounter = 0;
function unique(scene: Scene, label: string): string {
  uniqueCounter += 1;
  return `${scene.runTag}-${label}-${uniqueCounter}`;
}

function pick<T>(items: T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

function load(scene: Scene, requests: Request[], connections = scene.options.connections): Promise<LoadResult> {
  const { durationSeconds, warmupSeconds } = scene.options;
  return runLoad({ url: scene.purseUrl, connections, durationSeconds, warmupSeconds, requests });
}

export function bareRoute(scene: Scene, bareUrl: string): Promise<LoadResult> {
  const { durationSeconds, warmupSeconds, connections } = scene.options;
  const requests: Request[] = [{ method: 'POST', path: '/bare', headers: JSON_HEADERS, body: JSON.stringify({ amount: DEBIT_AMOUNT }) }];
  return runLoad({ url: bareUrl, connections, durationSeconds, warmupSeconds, requests });
}

/** GET /healthz (no key): what a route that pays none of the per-request tax costs (issue 26). */
export function healthz(scene: Scene): Promise<LoadResult> {
  return load(scene, [{ method: 'GET', path: '/healthz' }]);
}

/** The bare route's GET, the baseline for `healthz`. */
export function bareGet(scene: Scene, bareUrl: string): Promise<LoadResult> {
  const { durationSeconds, warmupSeconds, connections } = scene.options;
  return runLoad({ url: bareUrl, connections, durationSeconds, warmupSeconds, requests: [{ method: 'GET', path: '/bare' }] });
}

/** POST /v1/billing/usage, a fresh Idempotency-Key each time, from one wallet or many. */
export function usageDebit(scene: Scene, tenants: BenchTenant[], connections = scene.options.connections): Promise<LoadResult> {
  const body = JSON.stringify({ amount: DEBIT_AMOUNT });
  return load(scene, [{
    method: 'POST', path: '/v1/billing/usage',
    setupRequest: (req: RequestParams) => ({
      ...req, body, headers: { ...JSON_HEADERS, 'x-api-key': pick(tenants).apiKey, 'idempotency-key': unique(scene, 'usage') },
    }),
  }], connections);
}

/** Connections of usage debits by other tenants kept running while a read scenario is measured. */
export const OTHER_WRITERS_CONNECTIONS = 5;

/**
 * A read scenario measured while other tenants write: `read` and OTHER_WRITERS_CONNECTIONS connections of
 * usage debits on `writers`' wallets, started together for the same warm-up and window. Only the read's
 * numbers are the scenario's; the writes make the ledger grow under it, as a live store does.
 */
export async function whileOthersWrite(scene: Scene, writers: BenchTenant[], read: () => Promise<LoadResult>): Promise<LoadResult> {
  if (writers.length === 0) throw new Error('no other tenants to write while reading');
  const [result] = await Promise.all([read(), usageDebit(scene, writers, OTHER_WRITERS_CONNECTIONS)]);
  return result;
}

/**
 * The same usage debits spread over two Purse instances on one database (the supported scale-out): half the
 * connections to each, run at once. Throughput adds up; the latencies reported are the worse instance's.
 */
export async function usageDebitTwoInstances(scene: Scene, secondUrl: string, tenants: BenchTenant[]): Promise<LoadResult> {
  const half = Math.max(1, Math.floor(scene.options.connections / 2));
  const [a, b] = await Promise.all([
    usageDebit({ ...scene, options: { ...scene.options, connections: half } }, tenants),
    usageDebit({ ...scene, purseUrl: secondUrl, options: { ...scene.options, connections: scene.options.connections - half } }, tenants),
  ]);
  const statusCounts: Record<string, number> = { ...a.statusCounts };
  for (const [code, count] of Object.entries(b.statusCounts)) statusCounts[code] = (statusCounts[code] ?? 0) + count;
  return {
    okPerSecond: a.okPerSecond + b.okPerSecond, p50Ms: Math.max(a.p50Ms, b.p50Ms), p99Ms: Math.max(a.p99Ms, b.p99Ms),
    meanMs: (a.meanMs * a.ok + b.meanMs * b.ok) / Math.max(1, a.ok + b.ok), ok: a.ok + b.ok, failed: a.failed + b.failed,
    statusCounts, durationSeconds: Math.max(a.durationSeconds, b.durationSeconds),
  };
}

/** A hold then its capture, per connection in turn; the capture names the hold the first answer returned. */
export function holdThenCapture(scene: Scene, tenants: BenchTenant[]): Promise<LoadResult> {
  return load(scene, [
    {
      method: 'POST', path: '/v1/billing/holds',
      setupRequest: (req: RequestParams, context: Record<string, unknown>) => {
        const tenant = pick(tenants);
        context.apiKey = tenant.apiKey;
        return { ...req, body: JSON.stringify({ amount: HOLD_AMOUNT }), headers: { ...JSON_HEADERS, 'x-api-key': tenant.apiKey } };
      },
      onResponse: (status: number, body: string, context: Record<string, unknown>) => {
        const parsed = status === 201 ? (JSON.parse(body) as { hold?: { id?: string }; id?: string }) : {};
        context.holdId = parsed.hold?.id ?? parsed.id ?? 'hld_missing';
      },
    },
    {
      method: 'POST',
      setupRequest: (req: RequestParams, context: Record<string, unknown>) => ({
        ...req, path: `/v1/billing/holds/${String(context.holdId)}/capture`,
        body: JSON.stringify({ amount: CAPTURE_AMOUNT }), headers: { ...JSON_HEADERS, 'x-api-key': String(context.apiKey) },
      }),
    },
  ]);
}

export function readGet(scene: Scene, tenant: BenchTenant, path: string): Promise<LoadResult> {
  return load(scene, [{ method: 'GET', path, headers: { 'x-api-key': tenant.apiKey } }]);
}

export function checkoutCreate(scene: Scene, tenants: BenchTenant[]): Promise<LoadResult> {
  const body = JSON.stringify({ purpose: 'wallet_topup', amount: TOPUP_AMOUNT_MAJOR });
  return load(scene, [{
    method: 'POST', path: '/v1/billing/checkout',
    setupRequest: (req: RequestParams) => ({ ...req, body, headers: { ...JSON_HEADERS, 'x-api-key': pick(tenants).apiKey } }),
  }]);
}

export interface CheckoutLatency {
  purse: SequentialResult;
  sandbox: SequentialResult;
  /** Purse's p50 minus the sandbox's own p50 for the same Stripe call: Purse's added work. */
  addedP50Ms: number;
}

/**
 * One request at a time, alternating, so both see the same machine state: Purse's checkout (which calls
 * `stripe.checkout.sessions.create` on the sandbox) vs that same SDK call made straight to the sandbox.
 */
export async function checkoutLatency(scene: Scene, sandboxUrl: string, tenant: BenchTenant, currency: string): Promise<CheckoutLatency> {
  const { callPurse, callSandbox } = await checkoutCalls(scene, sandboxUrl, tenant, currency);
  // Warm both paths first (JIT, connection pools), then measure them interleaved.
  await runSequential(Math.ceil(scene.options.latencySamples / 10), (i) => (i % 2 === 0 ? callPurse() : callSandbox()));
  const purseMs: number[] = [];
  const sandboxMs: number[] = [];
  let failed = 0;
  for (let i = 0; i < scene.options.latencySamples; i += 1) {
    for (const [call, times] of [[callPurse, purseMs], [callSandbox, sandboxMs]] as const) {
      const startMs = performance.now();
      if (!(await call())) failed += 1;
      times.push(performance.now() - startMs);
    }
  }
  const purse = summariseSequential(purseMs, failed);
  const sandbox = summariseSequential(sandboxMs, 0);
  return { purse, sandbox, addedP50Ms: purse.p50Ms - sandbox.p50Ms };
}

export interface CheckoutCalls {
  /** Purse's checkout (which calls `stripe.checkout.sessions.create` on its sandbox); true if it answered 2xx. */
  callPurse(): Promise<boolean>;
  /** That same SDK call made straight to the sandbox. */
  callSandbox(): Promise<boolean>;
}

export async function checkoutCalls(scene: Scene, sandboxUrl: string, tenant: BenchTenant, currency: string): Promise<CheckoutCalls> {
  const stripe = sandboxClient(sandboxUrl);
  const customer = await stripe.customers.create({ name: 'bench' });
  const body = JSON.stringify({ purpose: 'wallet_topup', amount: TOPUP_AMOUNT_MAJOR });
  const callPurse = async () => {
    const res = await fetch(`${scene.purseUrl}/v1/billing/checkout`, { method: 'POST', headers: { ...JSON_HEADERS, 'x-api-key': tenant.apiKey }, body });
    await res.arrayBuffer();
    return res.ok;
  };
  const callSandbox = async () => {
    const orderId = unique(scene, 'cto');
    const session = await stripe.checkout.sessions.create(sessionLikePurse(scene, customer.id, orderId, currency), { idempotencyKey: `bench:${orderId}` });
    return session.url !== null;
  };
  return { callPurse, callSandbox };
}

/** The bare route one request at a time: what one loopback HTTP hop (fetch → Fastify → JSON answer) costs. */
export function bareSequential(bareUrl: string, samples: number): Promise<SequentialResult> {
  const body = JSON.stringify({ amount: DEBIT_AMOUNT });
  return runSequential(samples, async () => {
    const res = await fetch(`${bareUrl}/bare`, { method: 'POST', headers: JSON_HEADERS, body });
    await res.arrayBuffer();
    return res.ok;
  });
}

function sandboxClient(sandboxUrl: string): Stripe {
  const url = new URL(sandboxUrl);
  return new Stripe('sk_test_purse_sandbox', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0, telemetry: false });
}

/** The parameters Purse sends for a wallet top-up (src/checkout/create-checkout.ts, default configuration). */
function sessionLikePurse(scene: Scene, customer: string, orderId: string, currency: string): Stripe.Checkout.SessionCreateParams {
  const metadata = { orderId, tenantId: 'ten_bench', purpose: 'wallet_topup' };
  return {
    customer, client_reference_id: orderId, metadata,
    success_url: `${scene.purseUrl}/billing?topup=success&order=${orderId}`,
    cancel_url: `${scene.purseUrl}/billing?topup=cancelled&order=${orderId}`,
    expires_at: Math.floor(Date.now() / 1000) + 60 * 60,
    mode: 'payment',
    line_items: [{ quantity: 1, price_data: { currency: currency.toLowerCase(), unit_amount: TOPUP_AMOUNT_MAJOR * 100, product_data: { name: 'Wallet top-up' } } }],
    payment_intent_data: { metadata },
    billing_address_collection: 'required',
    automatic_tax: { enabled: true },
    customer_update: { address: 'auto' },
    adaptive_pricing: { enabled: true },
  };
}

/** Every event once, as fast as 50 connections deliver them. */
export function webhookIngest(scene: Scene, events: SignedEvent[]): Promise<LoadResult> {
  let next = 0;
  return runLoad({
    url: scene.purseUrl, connections: scene.options.connections, durationSeconds: 0, warmupSeconds: 0, amount: events.length,
    requests: [{
      method: 'POST', path: '/v1/webhooks/stripe',
      setupRequest: (req: RequestParams) => {
        const event = events[next % events.length] as SignedEvent;
        next += 1;
        return { ...req, body: event.payload, headers: { ...JSON_HEADERS, 'stripe-signature': event.signature } };
      },
    }],
  });
}
