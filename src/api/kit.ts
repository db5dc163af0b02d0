/**
 * What a route file needs to declare itself: the app type, the shared error schema, the auth marker.
 * Capabilities import this, never the server assembly in http/.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { ERROR_CODES, type ErrorCode, PurseError } from '../errors/purse-error.ts';
import type { Principal, Requirement } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Route-level auth: an operator (admin key), a tenant key meeting a requirement, or nobody. */
export type AuthConfig = { kind: 'admin' } | ({ kind: 'tenant' } & Requirement) | { kind: 'public' };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthConfig;
    /** The body is verified and stored as raw bytes (webhooks); its text is not checked for NUL/surrogates. */
    rawTextBody?: boolean;
  }
  interface FastifyInstance {
    /** Every documented route as "METHOD /path", for the docs completeness test. */
    registeredRoutes: string[];
  }
  interface FastifyRequest {
    principal?: Principal;
    rawBody?: string;
    /** When the request arrived (process.hrtime), for the latency histogram in /metrics. */
    metricsStartNs?: bigint;
  }
}

export type RouteRegistrar = (app: App, ctx: Ctx) => void;

export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'Human-readable text' }),
    code: Type.String({ description: 'Machine code', enum: Object.keys(ERROR_CODES) }),
    details: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String(), code: Type.Optional(Type.String()) })),
    ),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Error', title: 'Error' },
);

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid payload or parameters',
  401: 'Missing or invalid `x-api-key` / `x-api-key-id` header',
  402: 'Insufficient funds',
  403: 'The key may not call this endpoint',
  404: 'Not found (or belongs to another tenant)',
  409: 'Conflict with an earlier request or the resource state',
  413: 'Payload too large',
  429: 'Rate limit exceeded',
  500: 'Unexpected failure',
  502: 'Payment provider unavailable',
  503: 'Not ready',
};

/** OpenAPI error responses for the given statuses, all sharing the one error body. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of [...statuses, 500]) {
    out[status] = Type.Ref('Error', { description: STATUS_TEXT[status] ?? 'Error' }) as unknown as TSchema;
  }
  return out;
}

/** The statuses every tenant-authenticated route can answer, besides its own. */
export const TENANT_ERRORS = [400, 401, 403, 413, 429] as const;

type Security = Array<Record<string, string[]>>;
export const tenantSecurity: Security = [{ apiKey: [] }, { apiKeyId: [] }];
export const adminSecurity: Security = [{ adminKey: [] }];

export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (!principal) throw new PurseError('UNAUTHORIZED');
  return principal;
}

export function codeStatus(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
