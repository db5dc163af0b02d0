import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeDispute, disputeCharge, refundCharge } from './charge-ops.ts';
import type { PayInput } from './checkout-pay.ts';
import { expireSession, paySession, settlePayment } from './checkout-pay.ts';
import type { SessionRecord } from './checkout-types.ts';
import type { SandboxCore } from './core.ts';
import { apiError, invalidRequest, SandboxStripeError } from './errors.ts';
import { noRequest, stripeApiVersion } from './events.ts';
import type { FaultInjector } from './faults.ts';
import { faultDelayMaxMs, faultStatusMax, faultStatusMin } from './faults.ts';
import { BodyTooLargeError, readBody, sendJson } from './http.ts';
import { optionalEnum, optionalInteger, optionalObject, optionalString, parseJsonObject, requiredEnum } from './json-input.ts';
import type { JsonObject } from './json-input.ts';
import { amountMaxMinor } from './money.ts';
import { Router } from './router.ts';
import type { Address } from './types.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/** What the control API can reach: the sandbox internals plus a few sandbox-level actions. */
export interface ControlContext {
  core: SandboxCore;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  addWebhookEndpoint(url: string, secret?: string): string;
  resendEvent(eventId: string): number;
  advanceClock(seconds: number): void;
  logError(error: unknown): void;
}

type ControlHandler = (ctx: ControlContext, body: JsonObject, path: Record<string, string>) => unknown;

const faultCountMax = 1000;
const clockAdvanceMaxSeconds = 10 * 365 * 24 * 60 * 60;
const expiryMonthMax = 12;
const expiryYearMax = 9999;
/** Used when a test pays through the control API without giving an address but the session needs one. */
export const defaultBillingAddress: Partial<Address> = {
  line1: '1 Sandbox Street', city: 'San Francisco', state: 'CA', postal_code: '94103', country: 'US',
};

function id(path: Record<string, string>): string {
  return path.id ?? '';
}

function billingAddressFrom(body: JsonObject, record: SessionRecord): Partial<Address> | null {
  const raw = optionalObject(body, 'billingAddress');
  const needed = record.session.billing_address_collection === 'required' || record.session.automatic_tax.enabled;
  if (!raw) return needed ? defaultBillingAddress : null;
  const read = (key: string): string | null => optionalString(raw, key) ?? null;
  return {
    line1: read('line1'), line2: read('line2'), city: read('city'), state: read('state'),
    postal_code: read('postal_code') ?? read('postalCode'), country: read('country'),
  };
}

/** The control API's pay body (`card`/`method`, `billingAddress`, `presentmentCurrency`…) as a payment attempt. */
export function payInputFrom(body: JsonObject, record: SessionRecord): PayInput {
  const card = optionalString(body, 'card');
  const method = optionalString(body, 'method') ?? (card ? 'card' : undefined);
  if (method !== 'card' && method !== 'delayed') throw invalidRequest('Pass "card": "<number>" or "method": "delayed".', 'card');
  const expMonth = optionalInteger(body, 'expMonth', 1, expiryMonthMax);
  const expYear = optionalInteger(body, 'expYear', 0, expiryYearMax);
  const input: PayInput = {
    method,
    billingAddress: billingAddressFrom(body, record),
    email: optionalString(body, 'email') ?? null,
    name: optionalString(body, 'name') ?? null,
    presentmentCurrency: optionalString(body, 'presentmentCurrency') ?? null,
    authentication: optionalEnum(body, 'authentication', ['complete', 'fail']) ?? 'complete',
  };
  if (card) input.cardNumber = card;
  if (expMonth !== undefined && expYear !== undefined) input.expiry = { month: expMonth, year: expYear };
  return input;
}

function setFaults(ctx: ControlContext, body: JsonObject): unknown {
  const failNext = optionalInteger(body, 'failNext', 0, faultCountMax) ?? 0;
  const status = optionalInteger(body, 'status', faultStatusMin, faultStatusMax);
  const delayMs = optionalInteger(body, 'delayMs', 0, faultDelayMaxMs);
  if (failNext > 0 && status === undefined && delayMs === undefined) {
    throw invalidRequest('Give a "status" to fail with or a "delayMs" to hang for.', 'status');
  }
  const afterProcessing = body.afterProcessing === true;
  ctx.faults.set({ failNext, status, delayMs, afterProcessing });
  return { failNext, status: status ?? null, delayMs: delayMs ?? 0, afterProcessing };
}

const router = new Router<ControlHandler>()
  .add('GET', '/_sandbox/health', () => ({ ok: true, livemode: false, apiVersion: stripeApiVersion }))
  .add('POST', '/_sandbox/checkout/sessions/:id/pay', (ctx, body, path) => {
    const record = ctx.core.state.session(id(path));
    return paySession(ctx.core, record, payInputFrom(body, record)).session;
  })
  .add('POST', '/_sandbox/checkout/sessions/:id/expire', (ctx, _body, path) =>
    expireSession(ctx.core, ctx.core.state.session(id(path))).session)
  .add('POST', '/_sandbox/payment_intents/:id/settle', (ctx, body, path) => {
    const intent = ctx.core.state.paymentIntent(id(path));
    settlePayment(ctx.core, intent, requiredEnum(body, 'outcome', ['succeeded', 'failed']));
    return intent;
  })
  .add('POST', '/_sandbox/charges/:id/refund', (ctx, body, path) =>
    refundCharge(ctx.core, ctx.core.state.charge(id(path)), { amount: optionalInteger(body, 'amount', 1, amountMaxMinor) }, noRequest))
  .add('POST', '/_sandbox/charges/:id/dispute', (ctx, body, path) =>
    disputeCharge(ctx.core, ctx.core.state.charge(id(path)), optionalInteger(body, 'amount', 1, amountMaxMinor), noRequest))
  .add('POST', '/_sandbox/disputes/:id/close', (ctx, body, path) =>
    closeDispute(ctx.core, ctx.core.state.dispute(id(path)), requiredEnum(body, 'status', ['won', 'lost']), noRequest))
  .add('POST', '/_sandbox/events/:id/resend', (ctx, _body, path) => ({ event: id(path), endpoints: ctx.resendEvent(id(path)) }))
  .add('GET', '/_sandbox/deliveries', (ctx) => ({ object: 'list', data: ctx.webhooks.deliveries() }))
  .add('POST', '/_sandbox/faults', setFaults)
  .add('POST', '/_sandbox/clock', (ctx, body) => {
    const seconds = optionalInteger(body, 'advanceSeconds', 0, clockAdvanceMaxSeconds);
    if (seconds === undefined) throw invalidRequest('advanceSeconds is required.', 'advanceSeconds');
    ctx.advanceClock(seconds);
    return { nowMs: ctx.core.clock.nowMs() };
  })
  .add('GET', '/_sandbox/webhook_endpoints', (ctx) => ({ object: 'list', data: ctx.webhooks.endpoints() }))
  .add('POST', '/_sandbox/webhook_endpoints', (ctx, body) => {
    const url = optionalString(body, 'url');
    if (!url) throw invalidRequest('url is required.', 'url');
    try {
      return { url, secret: ctx.addWebhookEndpoint(url, optionalString(body, 'secret')) };
    } catch {
      throw invalidRequest('url must be an absolute http(s) URL.', 'url');
    }
  });

/** Plain-JSON test controls under `/_sandbox/`; errors use Stripe's envelope so tests read them alike. */
export async function handleControlRequest(ctx: ControlContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  try {
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (!match) throw new SandboxStripeError(404, { type: 'invalid_request_error', message: `No control route ${req.method} ${url.pathname}` });
    const body = req.method === 'POST' ? parseJsonObject(await readBody(req)) : {};
    sendJson(res, 200, match.handler(ctx, body, match.params) as object);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, { error: { type: 'invalid_request_error', message: error.message } });
      return;
    }
    const known = error instanceof SandboxStripeError ? error : apiError(500, 'Unexpected sandbox error.');
    if (!(error instanceof SandboxStripeError)) ctx.logError(error);
    sendJson(res, known.status, { error: known.body });
  }
}
