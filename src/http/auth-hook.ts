import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, authorize } from '../auth/authenticate.ts';
import { safeEqual } from '../auth/secrets.ts';
import { PurseError } from '../errors/purse-error.ts';
import type { RateLimiter } from '../ratelimit/limiter.ts';
import type { Ctx } from '../context.ts';

const BEARER_PREFIX = 'Bearer ';

/**
 * Runs before schema validation so an unauthenticated caller learns nothing about a route's schema.
 * Order: who you are (401) → may this key call it (403) → is it over budget (429).
 */
export function authHook(ctx: Ctx, limiter: RateLimiter) {
  return async function checkAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const auth = request.routeOptions.config.auth;
    if (!auth || auth.kind === 'public') return;
    if (auth.kind === 'admin') {
      checkAdmin(ctx, request);
      return;
    }
    const principal = await authenticate(ctx, {
      headers: request.headers,
      method: request.method,
      url: request.url,
      rawBody: request.rawBody ?? '',
    });
    // Every later line about this request (a refusal, "request completed") names who made it.
    const log = request.log.child({ tenantId: principal.tenantId, keyId: principal.keyId });
    request.log = log;
    reply.log = log;
    authorize(principal, auth);
    request.principal = principal;
    await applyRateLimit(ctx, limiter, principal.keyId, reply);
  };
}

function checkAdmin(ctx: Ctx, request: FastifyRequest): void {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith(BEARER_PREFIX)) throw new PurseError('UNAUTHORIZED');
  if (!safeEqual(header.slice(BEARER_PREFIX.length), ctx.secrets.adminKey)) throw new PurseError('UNAUTHORIZED');
}

async function applyRateLimit(ctx: Ctx, limiter: RateLimiter, keyId: string, reply: FastifyReply): Promise<void> {
  let decision;
  try {
    decision = await limiter.consume(keyId);
  } catch (err) {
    // A rate limiter outage must not take payments down with it: fail open, loudly.
    ctx.log.warn({ err: (err as Error).message }, 'rate limiter unavailable; request allowed');
    return;
  }
  const headers = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) {
    throw new PurseError('RATE_LIMITED', { headers: { ...headers, 'retry-after': String(decision.retryAfterSeconds) } });
  }
  void reply.headers(headers);
}
