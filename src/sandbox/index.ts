import { closeDispute, disputeCharge, refundCharge } from './charge-ops.ts';
import { expireSession, paySession, settlePayment } from './checkout-pay.ts';
import type { CheckoutSession } from './checkout-types.ts';
import type { SandboxClock } from './clock.ts';
import { payInputFrom } from './control.ts';
import { noRequest } from './events.ts';
import type { FaultSpec } from './faults.ts';
import { createInternals } from './internals.ts';
import type { SandboxInternals } from './internals.ts';
import type { JsonObject } from './json-input.ts';
import { restoreFrom, startPersistence } from './persistence.ts';
import { closeServer, createSandboxServer, listen } from './server.ts';
import type { Address, Dispute, PaymentIntent, Refund, StripeEvent } from './types.ts';
import type { DeliveryRecord, WebhookEndpoint, WebhookRetryOptions } from './webhooks.ts';

export type { SandboxClock } from './clock.ts';
export { createManualClock, createSystemClock } from './clock.ts';
export type { DeliveryRecord, WebhookEndpoint, WebhookRetryOptions } from './webhooks.ts';
export type { CheckoutSession } from './checkout-types.ts';
export type { FaultSpec } from './faults.ts';
export { SandboxStripeError } from './errors.ts';
export { stripeApiVersion } from './events.ts';

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** When set, only this key is accepted; otherwise any `sk_test_…` key. */
  secretKey?: string;
  webhookEndpoints?: { url: string; secret?: string }[];
  /** Secret for endpoints added without one; a fresh `whsec_…` by default. */
  webhookSecret?: string;
  clock?: SandboxClock;
  /** Base for hosted page URLs, when the sandbox is reached through another address. */
  publicUrl?: string;
  /** Host name browsers reach this machine by (e.g. PUBLIC_URL's); page URLs use it with the port listened on. */
  publicHostname?: string;
  logger?: (line: Record<string, unknown>) => void;
  /** Webhook retry backoff; tests shrink it so retries take milliseconds. */
  webhookRetry?: WebhookRetryOptions;
  /** A JSON file that keeps the sandbox's objects across restarts (loaded at start, written as they change). */
  stateFile?: string;
}

/** What a test or demo passes to pay a session in-process; same shape as the control API body. */
export interface SandboxPayInput {
  card?: string;
  method?: 'card' | 'delayed';
  billingAddress?: Partial<Address>;
  presentmentCurrency?: string;
  email?: string;
  name?: string;
  expMonth?: number;
  expYear?: number;
  /** The 3D Secure challenge's outcome for cards that need one (default complete). */
  authentication?: 'complete' | 'fail';
}

export interface Sandbox {
  url: string;
  host: string;
  port: number;
  webhookSecret: string;
  clock: SandboxClock;
  addWebhookEndpoint(url: string, secret?: string): string;
  webhooks: { idle(): Promise<void>; deliveries(): DeliveryRecord[]; endpoints(): WebhookEndpoint[] };
  /** In-process equivalents of the control API; Stripe failures throw `SandboxStripeError`. */
  paySession(sessionId: string, input: SandboxPayInput): CheckoutSession;
  expireSession(sessionId: string): CheckoutSession;
  settlePayment(paymentIntentId: string, outcome: 'succeeded' | 'failed'): PaymentIntent;
  /** The next `count` card confirmations that would succeed stay `processing` instead, until settlePayment. */
  leaveCardPaymentsProcessing(count: number): void;
  refundCharge(chargeId: string, amount?: number): Refund;
  disputeCharge(chargeId: string, amount?: number): Dispute;
  closeDispute(disputeId: string, status: 'won' | 'lost'): Dispute;
  resendEvent(eventId: string): number;
  setFaults(spec: FaultSpec): void;
  /** Resolves when the next injected fault is applied to a request (e.g. the request now hangs). */
  faultTaken(): Promise<void>;
  /** Moves the clock and expires sessions that are due, emitting `checkout.session.expired`. */
  advanceClock(seconds: number): void;
  /** Every event so far, newest first. */
  events(): StripeEvent[];
  close(): Promise<void>;
}

const defaultHost = '127.0.0.1';
/** Catches sessions expiring with wall-clock time even when nobody calls the sandbox. */
const expirySweepIntervalMs = 1000;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return defaultHost;
  return host.includes(':') ? `[${host}]` : host;
}

/** The in-process controls: the same operations as the control API, minus HTTP. */
function directControls(internals: SandboxInternals): Omit<Sandbox, 'url' | 'host' | 'port' | 'webhookSecret' | 'clock' | 'addWebhookEndpoint' | 'webhooks' | 'close'> {
  const { core, faults, resendEvent } = internals;
  const { state } = core;
  return {
    paySession: (id, input) => {
      const record = state.session(id);
      return paySession(core, record, payInputFrom(input as JsonObject, record)).session;
    },
    expireSession: (id) => expireSession(core, state.session(id)).session,
    settlePayment: (id, outcome) => {
      const intent = state.paymentIntent(id);
      settlePayment(core, intent, outcome);
      return intent;
    },
    leaveCardPaymentsProcessing: (count) => {
      state.cardPaymentsLeftProcessing = count;
    },
    refundCharge: (id, amount) => refundCharge(core, state.charge(id), { amount }, noRequest),
    disputeCharge: (id, amount) => disputeCharge(core, state.charge(id), amount, noRequest),
    closeDispute: (id, status) => closeDispute(core, state.dispute(id), status, noRequest),
    resendEvent,
    setFaults: (spec) => faults.set(spec),
    faultTaken: () => faults.nextTaken(),
    advanceClock: core.clock.advance,
    events: () => core.events.newestFirst(),
  };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? defaultHost;
  const logger = opts.logger ?? (() => {});
  const internals = createInternals({ ...opts, logger });
  const { core, webhooks, faults } = internals;
  if (opts.stateFile) restoreFrom(opts.stateFile, core.state, core.events);
  let writeRequests = 0;
  const changes = () => writeRequests + core.events.emitted;
  const persistence = opts.stateFile ? startPersistence(opts.stateFile, core.state, core.events, changes) : undefined;
  const server = createSandboxServer({
    core, api: internals.api, control: internals.control, beforeRequest: internals.sweep, logger,
    onWriteRequest: () => {
      writeRequests += 1;
    },
  });
  const port = await listen(server, opts.port ?? 0, host);
  const url = `http://${urlHost(host)}:${port}`;
  internals.setPublicUrl(opts.publicUrl ?? (opts.publicHostname ? `http://${urlHost(opts.publicHostname)}:${port}` : url));
  const sweepTimer = setInterval(internals.sweep, expirySweepIntervalMs);
  sweepTimer.unref();
  return {
    url, host, port, webhookSecret: internals.webhookSecret, clock: core.clock,
    addWebhookEndpoint: internals.addWebhookEndpoint,
    webhooks: { idle: () => webhooks.idle(), deliveries: () => webhooks.deliveries(), endpoints: () => webhooks.endpoints() },
    ...directControls(internals),
    close: async () => {
      clearInterval(sweepTimer);
      faults.close();
      await Promise.all([closeServer(server), webhooks.close()]);
      persistence?.stop();
    },
  };
}
