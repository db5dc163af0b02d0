import type { FastifyRequest } from 'fastify';

const QUERY_VALUE_LENGTH_MAX = 200;

/** The billing page's query: string values only, each at most QUERY_VALUE_LENGTH_MAX characters (the rest dropped). */
export function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && value.length <= QUERY_VALUE_LENGTH_MAX) out[key] = value;
  }
  return out;
}
