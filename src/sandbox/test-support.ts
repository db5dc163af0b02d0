import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import Stripe from 'stripe';
import { createManualClock, startSandbox } from './index.ts';
import type { Sandbox, SandboxOptions } from './index.ts';

/** Helpers shared by the sandbox tests: a sandbox, an SDK client pointed at it, a webhook receiver. */

export const testStartMs = Date.UTC(2030, 0, 15, 12, 0, 0);
const fastRetry = { baseDelayMs: 1, delayMaxMs: 5, attemptsMax: 4, timeoutMs: 2000 };

export interface TestSandbox {
  sandbox: Sandbox;
  stripe: Stripe;
}

export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ clock: createManualClock(testStartMs), webhookRetry: fastRetry, ...opts });
  return { sandbox, stripe: stripeClient(sandbox) };
}

export function stripeClient(sandbox: Sandbox, key = 'sk_test_x', extra: { timeout?: number } = {}): Stripe {
  return new Stripe(key, { host: sandbox.host, port: sandbox.port, protocol: 'http', maxNetworkRetries: 0, ...extra });
}

export interface ControlResponse {
  status: number;
  body: Record<string, unknown>;
}

export async function control(sandbox: Sandbox, path: string, body?: unknown, method = 'POST'): Promise<ControlResponse> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (method === 'POST') init.body = JSON.stringify(body ?? {});
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A local endpoint that records each delivery and answers with `statusFor(attemptNumber)`. */
export async function startReceiver(statusFor: (attempt: number) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statusFor(received.length));
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export function eventTypes(received: ReceivedWebhook[]): string[] {
  return received.map((delivery) => (JSON.parse(delivery.body) as { type: string }).type);
}

/** A BRL top-up session like the one Purse creates. */
export function topupSessionParams(customer: string, overrides: Stripe.Checkout.SessionCreateParams = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    customer,
    client_reference_id: 'ord_1',
    line_items: [{ price_data: { currency: 'brl', unit_amount: 5000, product_data: { name: 'Wallet top-up' } }, quantity: 1 }],
    metadata: { orderId: 'ord_1', tenantId: 'ten_1' },
    payment_intent_data: { metadata: { orderId: 'ord_1', tenantId: 'ten_1' } },
    success_url: 'https://merchant.test/billing?topup=success&session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://merchant.test/billing?topup=cancelled',
    ...overrides,
  };
}

/** Fills the hosted checkout page the way a customer would: card, expiry, CVC and a Brazilian billing address. */
export async function fillHostedCheckout(page: Page, cardNumber: string): Promise<void> {
  await page.getByLabel('Card number').fill(cardNumber);
  await page.getByLabel('Expiry date (MM / YY)').fill('12 / 34');
  await page.getByLabel('Security code (CVC)').fill('123');
  await page.getByLabel('Address line 1 (required)').fill('Av. Paulista, 1000');
  await page.getByLabel('City (required)').fill('São Paulo');
  await page.getByLabel('Postal code (required)').fill('01310-100');
  await page.getByLabel('Country (required)').selectOption('BR');
}
