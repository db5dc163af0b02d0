import http from 'node:http';
import https from 'node:https';
import { unixSeconds } from './clock.ts';
import type { SandboxClock } from './clock.ts';
import { signatureHeader } from './signature.ts';
import type { StripeEvent } from './types.ts';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

/** One delivery attempt, as shown by `GET /_sandbox/deliveries`. */
export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  endpoint: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  error: string | null;
  timeMs: number;
  durationMs: number;
  nextRetryInMs: number | null;
}

export interface WebhookRetryOptions {
  baseDelayMs?: number;
  delayMaxMs?: number;
  attemptsMax?: number;
  timeoutMs?: number;
}

export const webhookRetryDefaults: Required<WebhookRetryOptions> = {
  baseDelayMs: 1000,
  delayMaxMs: 60_000,
  attemptsMax: 6,
  timeoutMs: 10_000,
};
const deliveryLogEntriesMax = 10_000;
const userAgent = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

interface AttemptResult {
  status: number | null;
  error: string | null;
}

/**
 * Signs and POSTs events to every endpoint, retrying failures with capped exponential backoff.
 * Tracks outstanding work so tests can `await idle()` instead of sleeping.
 */
export class WebhookDispatcher {
  private readonly endpointList: WebhookEndpoint[] = [];
  private readonly log: DeliveryRecord[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private pendingJobs = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly clock: SandboxClock,
    private readonly retry: Required<WebhookRetryOptions>,
    private readonly logger: (line: Record<string, unknown>) => void,
  ) {}

  addEndpoint(url: string, secret: string): void {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('webhook url must be http(s)');
    this.endpointList.push({ url, secret });
  }

  endpoints(): WebhookEndpoint[] {
    return this.endpointList.map((endpoint) => ({ ...endpoint }));
  }

  /** Starts delivery to every endpoint; returns how many deliveries are now pending. */
  dispatch(event: StripeEvent): number {
    if (this.closed) return 0;
    for (const endpoint of this.endpointList) {
      this.pendingJobs += 1;
      void this.attempt(event, endpoint, 1);
    }
    return this.endpointList.length;
  }

  deliveries(): DeliveryRecord[] {
    return this.log.map((record) => ({ ...record }));
  }

  idle(): Promise<void> {
    if (this.pendingJobs === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels scheduled retries and aborts requests in flight, so nothing keeps the process alive. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) {
      clearTimeout(timer);
      this.finishJob();
    }
    this.retryTimers.clear();
    for (const request of this.inFlight) request.destroy(new Error('sandbox closed'));
    await this.idle();
  }

  private async attempt(event: StripeEvent, endpoint: WebhookEndpoint, attempt: number): Promise<void> {
    const startedMs = performance.now();
    const result = await this.post(event, endpoint);
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const willRetry = !ok && !this.closed && attempt < this.retry.attemptsMax;
    const nextRetryInMs = willRetry ? this.backoffMs(attempt) : null;
    this.record({
      eventId: event.id,
      eventType: event.type,
      endpoint: endpoint.url,
      attempt,
      status: result.status,
      ok,
      error: ok ? null : (result.error ?? `HTTP ${result.status}`),
      timeMs: this.clock.nowMs(),
      durationMs: Math.round(performance.now() - startedMs),
      nextRetryInMs,
    });
    if (ok) event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
    if (nextRetryInMs === null) {
      this.finishJob();
      return;
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void this.attempt(event, endpoint, attempt + 1);
    }, nextRetryInMs);
    this.retryTimers.add(timer);
  }

  private backoffMs(attempt: number): number {
    return Math.min(this.retry.baseDelayMs * 2 ** (attempt - 1), this.retry.delayMaxMs);
  }

  private record(entry: DeliveryRecord): void {
    this.log.push(entry);
    if (this.log.length > deliveryLogEntriesMax) this.log.shift();
    this.logger({ msg: 'webhook delivery', ...entry });
  }

  private finishJob(): void {
    this.pendingJobs -= 1;
    if (this.pendingJobs > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private post(event: StripeEvent, endpoint: WebhookEndpoint): Promise<AttemptResult> {
    return new Promise((resolve) => {
      const payload = JSON.stringify(event, null, 2);
      const target = new URL(endpoint.url);
      const transport = target.protocol === 'https:' ? https : http;
      const request = transport.request(target, {
        method: 'POST',
        agent: false,
        timeout: this.retry.timeoutMs,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          'user-agent': userAgent,
          'stripe-signature': signatureHeader(payload, endpoint.secret, unixSeconds(this.clock)),
        },
      });
      let settled = false;
      const settle = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(request);
        resolve(result);
      };
      request.on('response', (response) => {
        response.on('end', () => settle({ status: response.statusCode ?? null, error: null }));
        response.on('error', (error) => settle({ status: null, error: error.message }));
        response.on('close', () => settle({ status: null, error: 'connection closed before the response ended' }));
        response.resume();
      });
      request.on('timeout', () => request.destroy(new Error(`timed out after ${this.retry.timeoutMs} ms`)));
      request.on('error', (error) => settle({ status: null, error: error.message }));
      this.inFlight.add(request);
      request.end(payload);
    });
  }
}
