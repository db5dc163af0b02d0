/**
 * Each route's error codes, as documented and as answered. A route lists its own codes with errorResponses
 * (api/kit.ts); the codes every route of its kind meets before its handler runs are added here when it
 * registers, from facts the server knows (its method and its auth). Under PURSE_ENV=test every error answer
 * is checked against the route's list, so a code a route returns without documenting it fails the test
 * that provoked it, anywhere in the suite.
 */
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { type AuthConfig, declaredCodes, errorResponses } from '../api/kit.ts';
import { ERROR_CODES, type ErrorCode } from '../errors/purse-error.ts';

/**
 * Any route: the text guard on path and query (http/text-guard.ts) and schema validation; and the database
 * failing over under it (503 DATABASE_UNAVAILABLE with Retry-After, store/pg-failover.ts).
 */
const EVERY_ROUTE: readonly ErrorCode[] = ['VALIDATION_ERROR', 'DATABASE_UNAVAILABLE'];
/** A method that carries a body: what reading and parsing it can refuse (http/json-body.ts, http/errors.ts). */
const WITH_BODY: readonly ErrorCode[] = ['INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'MALFORMED_REQUEST'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The tenant auth hook: who you are (401, 403 for a disabled tenant), may this key call it (403), its budget (429). */
const TENANT_AUTH: readonly ErrorCode[] = ['UNAUTHORIZED', 'TENANT_DISABLED', 'INSUFFICIENT_SCOPE', 'RATE_LIMITED'];
const ADMIN_AUTH: readonly ErrorCode[] = ['UNAUTHORIZED'];

/** The codes a route answers whatever its handler does. */
export function impliedCodes(methods: readonly string[], auth: AuthConfig | undefined): ErrorCode[] {
  const codes = [...EVERY_ROUTE];
  if (methods.some((m) => BODY_METHODS.has(m))) codes.push(...WITH_BODY);
  if (auth?.kind === 'admin') codes.push(...ADMIN_AUTH);
  if (auth?.kind === 'tenant') {
    codes.push(...TENANT_AUTH);
    // A tenant-only endpoint refuses a number-scoped key outright.
    if (auth.scope === 'tenant') codes.push('NUMBER_SCOPE_NOT_ALLOWED');
  }
  return codes;
}

/** onRoute: completes a documented route's error responses with the codes its kind implies. */
export function declareImpliedErrors(route: RouteOptions): void {
  const schema = route.schema;
  if (!schema || schema.hide || !schema.response) return;
  const response = schema.response as Record<string, unknown>;
  const own = Object.values(response).flatMap(declaredCodes);
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  // A new object: a response map shared by several routes never collects another route's codes.
  schema.response = { ...response, ...errorResponses(...own, ...impliedCodes(methods, route.config?.auth)) };
}

/** The error codes a route documents for a status. */
export function routeCodes(request: FastifyRequest, status: number): ErrorCode[] {
  const response = request.routeOptions.schema?.response as Record<string, unknown> | undefined;
  return declaredCodes(response?.[status]);
}

/**
 * onSend, tests only: an error answer whose code the route does not document for that status becomes a 500
 * naming the code and the route, so the test that provoked it fails and says what to declare.
 */
export async function refuseUndeclaredError(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const status = reply.statusCode;
  const schema = request.routeOptions.schema;
  if (status < 400 || status === ERROR_CODES.INTERNAL.status || !request.routeOptions.url || !schema || schema.hide) return payload;
  if (typeof payload !== 'string') return payload;
  let code: unknown;
  try {
    code = (JSON.parse(payload) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  if (typeof code === 'string' && routeCodes(request, status).includes(code as ErrorCode)) return payload;
  const route = `${request.method} ${request.routeOptions.url}`;
  const message = `Undeclared error: ${route} answered ${status} ${String(code)}, which its errorResponses do not list`;
  request.log.error({ route, status, code }, message);
  void reply.code(ERROR_CODES.INTERNAL.status);
  return JSON.stringify({ error: message, code: 'INTERNAL' });
}
