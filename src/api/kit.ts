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
  401: 'Missing or invalid credentials',
  402: 'Insufficient funds',
  403: 'The key may not call this endpoint',
  404: 'Not found (or belongs to another tenant)',
  409: 'Conflict with an earlier request or the resource state',
  413: 'Payload too large',
  415: 'The body is not application/json',
  429: 'Rate limit exceeded',
  500: 'Unexpected failure',
  502: 'Payment provider unavailable',
  503: 'Not ready',
};

/** The error body of one status on one route: `code` is an enum of exactly the codes the route answers with it. */
function errorResponseSchema(status: number, codes: readonly ErrorCode[]): TSchema {
  const first = codes[0] as ErrorCode;
  return Type.Object(
    { ...ErrorSchema.properties, code: Type.String({ description: 'Machine code', enum: [...codes] }) },
    {
      description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}`,
      examples: [{ error: ERROR_CODES[first].message, code: first }],
    },
  );
}

/**
 * The error responses of a route, from the codes it can answer (each code's status comes from ERROR_CODES):
 * one response per status, its `code` an enum of exactly those codes. A route lists its own codes; the ones
 * every route of its kind meets (VALIDATION_ERROR, the auth codes, a body's parse errors) are added when it
 * registers (http/declared-errors.ts). 500 INTERNAL is always there. The per-route enums are what make an
 * SDK call's error type list that route's codes only.
 */
export function errorResponses(...codes: ErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  // In the closed list's order, whatever order the route named them in.
  for (const code of (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => c === 'INTERNAL' || codes.includes(c))) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<number, TSchema> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) out[status] = errorResponseSchema(status, list);
  return out;
}

/** The codes a response schema built by errorResponses declares (none for a success body). */
export function declaredCodes(schema: unknown): ErrorCode[] {
  const code = (schema as { properties?: { code?: { enum?: unknown } } } | undefined)?.properties?.code;
  return Array.isArray(code?.enum) ? (code.enum as ErrorCode[]) : [];
}

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
