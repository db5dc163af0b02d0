import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { control, eventTypes, startReceiver, startTestSandbox, stripeClient } from './test-support.ts';
import type { TestSandbox, WebhookReceiver } from './test-support.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function receiver(statusFor?: (attempt: number) => number): Promise<WebhookReceiver> {
  const started = await startReceiver(statusFor);
  cleanups.push(() => started.close());
  return started;
}

async function sandboxWith(opts: Parameters<typeof startTestSandbox>[0]): Promise<TestSandbox> {
  const started = await startTestSandbox(opts);
  cleanups.push(() => started.sandbox.close());
  return started;
}

async function pay(t: TestSandbox): Promise<void> {
  await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, off_session: true });
}

describe('webhook delivery: signatures', () => {
  it('signs deliveries so stripe.webhooks.constructEvent verifies them, and a tampered body fails', async () => {
    const endpoint = await receiver();
    const t = await sandboxWith({ webhookEndpoints: [{ url: endpoint.url }] });
    await pay(t);
    await t.sandbox.webhooks.idle();
    expect(eventTypes(endpoint.received)).toEqual(['payment_intent.succeeded']);
    const delivery = endpoint.received[0] as { headers: http.IncomingHttpHeaders; body: string };
    const header = delivery.headers['stripe-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const receivedAt = t.sandbox.clock.nowMs();
    const event = stripeClient(t.sandbox).webhooks.constructEvent(delivery.body, header, t.sandbox.webhookSecret, undefined, undefined, receivedAt);
    expect(event).toMatchObject({ type: 'payment_intent.succeeded', object: 'event', livemode: false });
    const tampered = delivery.body.replace('"amount": 1000', '"amount": 9000');
    expect(() => Stripe.webhooks.constructEvent(tampered, header, t.sandbox.webhookSecret, undefined, undefined, receivedAt)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => Stripe.webhooks.constructEvent(delivery.body, header, 'whsec_wrong', undefined, undefined, receivedAt)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});

describe('webhook delivery: retries and timeouts', () => {
  it('retries a 500 with backoff until the endpoint accepts, and logs every attempt', async () => {
    const endpoint = await receiver((attempt) => (attempt <= 2 ? 500 : 200));
    const t = await sandboxWith({ webhookEndpoints: [{ url: endpoint.url }] });
    await pay(t);
    await t.sandbox.webhooks.idle();
    const log = t.sandbox.webhooks.deliveries();
    expect(log.map((d) => [d.attempt, d.status, d.ok])).toEqual([[1, 500, false], [2, 500, false], [3, 200, true]]);
    expect(log[0]).toMatchObject({ eventType: 'payment_intent.succeeded', endpoint: endpoint.url, error: 'HTTP 500', nextRetryInMs: 1 });
    expect(log[1]?.nextRetryInMs).toBe(2);
    expect(new Set(endpoint.received.map((d) => (JSON.parse(d.body) as { id: string }).id)).size).toBe(1);
    expect(t.sandbox.events()[0]?.pending_webhooks).toBe(0);
  });

  it('gives up after the attempt cap and leaves the event pending', async () => {
    const endpoint = await receiver(() => 503);
    const t = await sandboxWith({ webhookEndpoints: [{ url: endpoint.url }], webhookRetry: { baseDelayMs: 1, attemptsMax: 3 } });
    await pay(t);
    await t.sandbox.webhooks.idle();
    const log = t.sandbox.webhooks.deliveries();
    expect(log.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(log.at(-1)?.nextRetryInMs).toBeNull();
    expect(t.sandbox.events()[0]?.pending_webhooks).toBe(1);
  });

  it('records a timeout for an endpoint that never answers, then retries', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => {
      silent.close(() => resolve());
      silent.closeAllConnections();
    }));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
    const t = await sandboxWith({ webhookEndpoints: [{ url }], webhookRetry: { baseDelayMs: 1, attemptsMax: 2, timeoutMs: 50 } });
    await pay(t);
    await t.sandbox.webhooks.idle();
    expect(t.sandbox.webhooks.deliveries().map((d) => d.error)).toEqual(['timed out after 50 ms', 'timed out after 50 ms']);
  });
});

describe('webhook delivery: endpoints and resends', () => {
  it('delivers to every endpoint, including one added at run time with its own secret', async () => {
    const first = await receiver();
    const second = await receiver();
    const t = await sandboxWith({ webhookEndpoints: [{ url: first.url }] });
    const added = await control(t.sandbox, '/webhook_endpoints', { url: second.url, secret: 'whsec_custom' });
    expect(added.body).toEqual({ url: second.url, secret: 'whsec_custom' });
    await pay(t);
    await t.sandbox.webhooks.idle();
    const delivery = second.received[0] as { headers: http.IncomingHttpHeaders; body: string };
    const receivedAt = t.sandbox.clock.nowMs();
    expect(Stripe.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'] as string, 'whsec_custom', undefined, undefined, receivedAt).type)
      .toBe('payment_intent.succeeded');
    expect(first.received).toHaveLength(1);
    expect(t.sandbox.events()[0]?.pending_webhooks).toBe(0);
  });

  it('uses the sandbox secret for an endpoint added without one, and shows deliveries over the control API', async () => {
    const endpoint = await receiver();
    const t = await sandboxWith({ webhookSecret: 'whsec_shared' });
    expect(t.sandbox.addWebhookEndpoint(endpoint.url)).toBe('whsec_shared');
    await pay(t);
    await t.sandbox.webhooks.idle();
    const log = await control(t.sandbox, '/deliveries', undefined, 'GET');
    expect(log.body.data).toEqual([expect.objectContaining({ endpoint: endpoint.url, attempt: 1, status: 200, ok: true })]);
  });

  it('resends an event on request', async () => {
    const endpoint = await receiver();
    const t = await sandboxWith({ webhookEndpoints: [{ url: endpoint.url }] });
    await pay(t);
    await t.sandbox.webhooks.idle();
    const eventId = t.sandbox.events()[0]?.id as string;
    const resent = await control(t.sandbox, `/events/${eventId}/resend`);
    expect(resent.body).toEqual({ event: eventId, endpoints: 1 });
    await t.sandbox.webhooks.idle();
    expect(endpoint.received.map((d) => (JSON.parse(d.body) as { id: string }).id)).toEqual([eventId, eventId]);
  });

  it('rejects a webhook endpoint that is not an http(s) URL', async () => {
    const t = await sandboxWith({});
    const bad = await control(t.sandbox, '/webhook_endpoints', { url: 'ftp://nope' });
    expect(bad.status).toBe(400);
  });
});

describe('webhook delivery: shutdown', () => {
  it('closes promptly with a retry still scheduled, and idle() then resolves', async () => {
    const endpoint = await receiver(() => 500);
    let firstAttemptLogged: () => void = () => {};
    const firstAttemptDone = new Promise<void>((resolve) => {
      firstAttemptLogged = resolve;
    });
    const logger = (line: Record<string, unknown>): void => {
      if (line.msg === 'webhook delivery') firstAttemptLogged();
    };
    const t = await startTestSandbox({ webhookEndpoints: [{ url: endpoint.url }], webhookRetry: { baseDelayMs: 60_000, attemptsMax: 5 }, logger });
    await pay(t);
    await firstAttemptDone;
    await t.sandbox.close();
    await t.sandbox.webhooks.idle();
    expect(t.sandbox.webhooks.deliveries()).toHaveLength(1);
  });
});
