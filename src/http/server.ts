import { pooledRandomBytes } from '../ids/ids.ts';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorSchema, type App, type RouteRegistrar } from '../api/kit.ts';
import { PurseError } from '../errors/purse-error.ts';
import type { RateLimiter } from '../ratelimit/limiter.ts';
import { authHook } from './auth-hook.ts';
import { auditAdminWrites, carryAdminAudit } from './admin-audit.ts';
import { sendError } from './errors.ts';
import { declareImpliedErrors, refuseUndeclaredError } from './declared-errors.ts';
import { clientErrorHandler, onRouterError } from './edge-errors.ts';
import { checkRequestText } from './text-guard.ts';
import { parseJsonBody } from './json-body.ts';
import { registerOpenApi } from './openapi.ts';
import { type RequestTax, chargeTax, emptyTax, requestIdFor } from './request-tax.ts';
import { observeRequestEnd, observeRequestStart } from '../metrics/metrics.ts';
import { compressResponse } from '../api/compression.ts';
import { registerAssetRoute } from '../api/static-assets.ts';
import type { Ctx } from '../context.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;
const REQUEST_ID_BYTES = 12;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Headers that carry credentials; pino replaces them before a log line is written. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-signature"]',
  'req.headers["stripe-signature"]',
];

/**
 * Billing page links carry a single-use token in `?session=`, console set-password links in `?token=`
 * (issue 23): neither ever reaches a log line.
 */
const URL_SECRET_PARAM = /([?&](?:session|token)=)[^&#]*/g;

function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: request.url.replace(URL_SECRET_PARAM, '$1[redacted]'), host: request.host, remoteAddress: request.ip };
}

export interface ServerOptions {
  limiter: RateLimiter;
  routes: RouteRegistrar[];
  /** Where JSON log lines go (tests capture them); stdout by default. */
  logStream?: Writable;
}

export function newRequestId(): string {
  return `req_${pooledRandomBytes(REQUEST_ID_BYTES).toString('base64url')}`;
}

export async function buildServer(ctx: Ctx, opts: ServerOptions): Promise<App> {
  const app = Fastify({
    logger: {
      level: ctx.config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: BODY_LIMIT_BYTES,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    genReqId: requestIdFor(newRequestId),
    frameworkErrors: onRouterError,
    clientErrorHandler: clientErrorHandler(newRequestId, (fields, message) => ctx.log.info(fields, message)),
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorSchema);
  registerJsonParser(app);
  // Loaded only when configured: without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry code is imported.
  if (ctx.config.otel) (await import('../tracing/tracing.ts')).registerTracing(app, ctx.config.otel);
  const tax = requestTax(ctx, opts.limiter);
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error as Error));
  // Fastify runs every lifecycle hook given here for the not-found answer too (only two are in its types).
  app.setNotFoundHandler({ ...tax } as unknown as Record<string, never>, (request, reply) => sendError(request, reply, new PurseError('NOT_FOUND')));
  const registered: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (m !== 'HEAD' && !route.schema?.hide) registered.push(`${m} ${route.url}`);
    if (route.schema && !route.schema.hide && !route.schema.operationId && typeof route.method === 'string') {
      route.schema.operationId = operationIdOf(route.method, route.url);
    }
    declareImpliedErrors(route);
    chargeTax(route, tax);
  });
  app.decorate('registeredRoutes', registered);
  await registerOpenApi(app);
  registerAssetRoute(app);
  for (const register of opts.routes) register(app, ctx);
  return app;
}

/** What every route but the plain ones pays per request (request-tax.ts), in the order the hooks run. */
function requestTax(ctx: Ctx, limiter: RateLimiter): RequestTax {
  const tax = emptyTax();
  tax.onRequest.push(async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('x-request-id', request.id);
  }, observeRequestStart);
  tax.preValidation.push(authHook(ctx, limiter), checkRequestText);
  // Issue 23: the admin key's writes land in the audit log as actor `api-key`, in the write's own commit.
  tax.preHandler.push(carryAdminAudit(ctx));
  tax.onSend.push(auditAdminWrites(ctx));
  // Tests only: an error code a route answers but does not document fails the test that provoked it.
  if (ctx.config.env === 'test') tax.onSend.push(refuseUndeclaredError);
  // Last of the onSend hooks: the ones above read the body as the route wrote it.
  tax.onSend.push(compressResponse);
  tax.onResponse.push(observeRequestEnd);
  return tax;
}

/** JSON only: Fastify's default text/plain parser would hand a string to routes that expect an object. */
function registerJsonParser(app: App): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'string' }, parseJsonBody);
}

/**
 * A route's operationId when it names none (SDK method names come from it): method and path without
 * the version, a collection followed by its id singular, e.g. `GET /v1/admin/tenants/:tenantId/keys` →
 * `get_admin_tenant_keys`, `DELETE /v1/admin/keys/:keyId` → `delete_admin_key`.
 */
export function operationIdOf(method: string, url: string): string {
  const segments = url.split('/').filter((s) => s !== '' && s !== 'v1');
  const words: string[] = [];
  for (const [i, segment] of segments.entries()) {
    if (segment.startsWith(':')) continue;
    const next = segments[i + 1];
    const word = segment.replace(/[^A-Za-z0-9]+/g, '_');
    words.push(next?.startsWith(':') && word.endsWith('s') ? word.slice(0, -1) : word);
  }
  return [method.toLowerCase(), ...words].join('_');
}
