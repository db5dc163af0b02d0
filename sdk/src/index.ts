/**
 * Purse's TypeScript client: openapi-fetch over the types generated from Purse's /openapi.json
 * (schema.d.ts, `npm run sdk:generate`). Every call is typed by its path and method: parameters, body, the
 * success body, and the error body, whose `code` is one of the codes that route documents.
 *
 *   const purse = createPurseClient({ baseUrl: 'https://purse.example.com', apiKey: 'ps_…' });
 *   const { data, error } = await purse.POST('/v1/billing/usage', {
 *     params: { header: { 'idempotency-key': 'sms-batch-2041' } },
 *     body: { amount: '0.25', description: '5 SMS' },
 *   });
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';
import { type SigningKey, signingMiddleware } from './signing.ts';

export type { SigningKey };

export type { components, operations, paths };
export type PurseClient = Client<paths>;
/** Every code in Purse's closed error list. */
export type PurseErrorCode = components['schemas']['Error']['code'];
export type PurseErrorBody = components['schemas']['Error'];

export interface PurseClientOptions {
  /** Where Purse answers, e.g. `https://purse.example.com` (without `/v1`). */
  baseUrl: string;
  /** A tenant API key (`ps_…`), sent as `x-api-key` on every request: the `/v1/billing` routes. */
  apiKey?: string;
  /**
   * Sign every request with a tenant key instead of sending its secret (`x-api-key-id`, `x-timestamp`,
   * `x-signature`; SPEC §3.1). Use this or `apiKey`.
   */
  signingKey?: SigningKey;
  /** The operator key (`PURSE_ADMIN_KEY`), sent as `Authorization: Bearer …`: the `/v1/admin` routes. */
  adminKey?: string;
  /** A fetch of your own (tests, proxies); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
}

export function createPurseClient(options: PurseClientOptions): PurseClient {
  if (options.apiKey !== undefined && options.signingKey !== undefined) throw new Error('pass apiKey or signingKey, not both');
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  if (options.adminKey !== undefined) headers.authorization = `Bearer ${options.adminKey}`;
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (options.signingKey !== undefined) client.use(signingMiddleware(options.signingKey));
  return client;
}

/**
 * A fresh Idempotency-Key for a usage debit, a hold or a checkout. Keep it with the request and send the
 * same key when you retry: Purse answers the first result instead of acting twice.
 */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/** A non-2xx answer from Purse, with its status and machine code. */
export class PurseApiError extends Error {
  readonly status: number;
  readonly code: PurseErrorCode | undefined;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const parsed = (body ?? {}) as Partial<PurseErrorBody>;
    super(`Purse answered ${status}${parsed.code ? ` ${parsed.code}` : ''}: ${parsed.error ?? 'no error body'}`);
    this.name = 'PurseApiError';
    this.status = status;
    this.code = parsed.code;
    this.body = body;
  }
}

/** The body of a successful call, or a thrown PurseApiError: for code that prefers exceptions to `{data, error}`. */
export async function unwrap<R extends { data?: unknown; error?: unknown; response: Response }>(
  call: Promise<R>,
): Promise<NonNullable<R['data']>> {
  const result = await call;
  if (!result.response.ok || result.error !== undefined) throw new PurseApiError(result.response.status, result.error);
  return result.data as NonNullable<R['data']>;
}
