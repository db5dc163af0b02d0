import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxCore } from '../core.ts';
import { apiError, authenticationError, invalidRequest, SandboxStripeError } from '../errors.ts';
import { stripeApiVersion } from '../events.ts';
import type { RequestRef } from '../events.ts';
import type { Fault, FaultInjector } from '../faults.ts';
import { parseStripeForm } from '../form.ts';
import type { FormObject } from '../form.ts';
import { BodyTooLargeError, readBody, sendJson } from '../http.ts';
import { newId } from '../ids.ts';
import type { RouteMatch } from '../router.ts';
import { arr, str } from '../schema.ts';
import { applyExpand } from './expand.ts';
import type { ExpandSource } from './expand.ts';
import { fingerprintParams, IdempotencyStore, isReplayable } from './idempotency.ts';
import type { ApiHandler, ApiRouter } from './types.ts';

export interface ApiContext {
  core: SandboxCore;
  router: ApiRouter;
  idempotency: IdempotencyStore;
  faults: FaultInjector;
  expandSource: ExpandSource;
  /** When set, only this key is accepted; otherwise any `sk_test_` key is. */
  secretKey: string | null;
  /** Runs before each call, e.g. to expire sessions whose time has come. */
  beforeCall(): void;
  logError(error: unknown): void;
}

interface Outcome {
  status: number;
  body: string;
}

const requestIdLength = 14;
const testKeyPrefix = 'sk_test_';
const keyVisibleSuffixLength = 4;

function errorBody(error: SandboxStripeError): string {
  return JSON.stringify({ error: error.body }, null, 2);
}

function maskKey(key: string): string {
  return `${key.slice(0, testKeyPrefix.length)}****${key.slice(-keyVisibleSuffixLength)}`;
}

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function authenticate(ctx: ApiContext, req: IncomingMessage): void {
  const header = req.headers.authorization ?? '';
  let key = '';
  if (header.startsWith('Bearer ')) key = header.slice('Bearer '.length).trim();
  else if (header.startsWith('Basic ')) key = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':')[0] ?? '';
  if (key === '') {
    throw authenticationError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  const accepted = ctx.secretKey === null ? key.startsWith(testKeyPrefix) : sameKey(key, ctx.secretKey);
  if (!accepted) throw authenticationError(`Invalid API Key provided: ${maskKey(key)}`);
}

function execute(ctx: ApiContext, match: RouteMatch<ApiHandler>, params: FormObject, request: RequestRef): Outcome {
  try {
    const { expand, ...rest } = params;
    const paths = expand === undefined ? [] : arr(str()).parse(expand, 'expand');
    const result = match.handler({ core: ctx.core, params: rest, path: match.params, request });
    return { status: 200, body: JSON.stringify(applyExpand(result, paths, ctx.expandSource), null, 2) };
  } catch (error) {
    if (error instanceof SandboxStripeError) return { status: error.status, body: errorBody(error) };
    ctx.logError(error);
    return { status: 500, body: errorBody(apiError(500, 'An unexpected error occurred in the Stripe sandbox.')) };
  }
}

/** Answers with the injected fault, if one is armed. Returns true when the request is done. */
async function applyFault(fault: Fault | null, ctx: ApiContext, res: ServerResponse, headers: Record<string, string>): Promise<boolean> {
  if (!fault) return false;
  if (fault.delayMs > 0) await ctx.faults.delay(fault.delayMs);
  if (fault.status === null) return false;
  const error = apiError(fault.status, 'Simulated Stripe failure (sandbox fault injection).');
  sendJson(res, fault.status, errorBody(error), headers);
  return true;
}

async function readParams(req: IncomingMessage, url: URL): Promise<FormObject> {
  if (req.method !== 'POST') return parseStripeForm(url.search.slice(1));
  try {
    return parseStripeForm(await readBody(req));
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw invalidRequest('The request body is too large.');
    throw error;
  }
}

/** The Stripe REST pipeline: faults, auth, parsing, routing, idempotency, handler, expansion. */
export async function handleApiRequest(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const requestId = newId('req', requestIdLength);
  const versionHeader = req.headers['stripe-version'];
  const headers: Record<string, string> = {
    'request-id': requestId,
    'stripe-version': typeof versionHeader === 'string' ? versionHeader : stripeApiVersion,
  };
  const fault = ctx.faults.take();
  try {
    if (!fault?.afterProcessing && (await applyFault(fault, ctx, res, headers))) return;
    authenticate(ctx, req);
    const method = req.method ?? 'GET';
    const params = await readParams(req, url);
    const match = ctx.router.match(method, url.pathname);
    if (!match) {
      throw new SandboxStripeError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      });
    }
    ctx.beforeCall();
    const keyHeader = req.headers['idempotency-key'];
    const key = method === 'POST' && typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : null;
    const fingerprint = fingerprintParams(params);
    if (key) {
      IdempotencyStore.validateKey(key);
      headers['idempotency-key'] = key;
      const stored = ctx.idempotency.lookup(key, method, url.pathname, fingerprint);
      if (stored) {
        sendJson(res, stored.status, stored.body, { ...headers, 'idempotent-replayed': 'true' });
        return;
      }
    }
    const outcome = execute(ctx, match, params, { id: requestId, idempotency_key: key });
    if (key && isReplayable(outcome.status)) ctx.idempotency.save(key, { method, path: url.pathname, fingerprint, ...outcome });
    if (fault?.afterProcessing && (await applyFault(fault, ctx, res, headers))) return;
    sendJson(res, outcome.status, outcome.body, headers);
  } catch (error) {
    const stripeError = error instanceof SandboxStripeError ? error : apiError(500, 'An unexpected error occurred in the Stripe sandbox.');
    if (!(error instanceof SandboxStripeError)) ctx.logError(error);
    if (!res.headersSent) sendJson(res, stripeError.status, errorBody(stripeError), headers);
  }
}
