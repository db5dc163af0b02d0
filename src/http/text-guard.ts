import type { FastifyRequest } from 'fastify';
import { PurseError } from '../errors/purse-error.ts';

/**
 * Every piece of text a caller sends (path parameters, query string, JSON body keys and values) is
 * checked once here, for every route: PostgreSQL text cannot hold NUL (it answers an error, so a 500),
 * and a lone surrogate is not valid Unicode (stored as U+FFFD, a retry would no longer match). Both
 * are refused with 400 VALIDATION_ERROR (detail code TEXT_INVALID) before any handler runs, so the two databases behave alike.
 */
// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// JSON nesting is bounded by the body size; this bound only stops a pathological body from recursing deep.
const DEPTH_MAX = 64;

export function isCleanText(text: string): boolean {
  return !BAD_TEXT.test(text);
}

/** The field path of the first bad text in a value, or undefined when all of it is clean. */
export function findBadText(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return isCleanText(value) ? undefined : path;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > DEPTH_MAX) return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const bad = findBadText(value[i], `${path}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (!isCleanText(key)) return `${path}.${JSON.stringify(key).slice(1, -1)}`;
    const bad = findBadText(inner, `${path}.${key}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/** preValidation hook: params, query and body, in that order; routes that verify raw bytes opt out of the body check. */
export async function checkRequestText(request: FastifyRequest): Promise<void> {
  const bad = findBadText(request.params, 'params') ?? findBadText(request.query, 'query') ??
    (request.routeOptions.config.rawTextBody ? undefined : findBadText(request.body, 'body'));
  if (bad) throw new PurseError('VALIDATION_ERROR', { details: [{ field: bad, message: 'contains NUL or an unpaired surrogate', code: 'TEXT_INVALID' }] });
}
