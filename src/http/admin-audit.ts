import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_KEY_ACTOR, appendAudit } from '../audit/audit-log.ts';
import type { Ctx } from '../context.ts';

/**
 * Every successful write through the admin API (admin key) is audited as actor `api-key` before the
 * response leaves: the action is the route, the target its path ids, "after" the request body with
 * anything secret-looking left out. Secrets a response shows once (a new key) are never copied in.
 */
const SECRET_FIELD = /secret|password|token|key$/i;

function redacted(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body ?? null;
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : v]));
}

export function auditAdminWrites(ctx: Ctx) {
  return async function auditAdminWrite(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    if (request.routeOptions.config.auth?.kind !== 'admin' || request.method === 'GET' || reply.statusCode >= 400) return payload;
    const params = (request.params ?? {}) as Record<string, string>;
    const target = Object.values(params)[0];
    await appendAudit(ctx.store.db, ctx.nowMs(), { actor: API_KEY_ACTOR, role: 'owner', requestId: request.id }, {
      action: `${request.method} ${request.routeOptions.url ?? ''}`, target, after: { status: reply.statusCode, body: redacted(request.body) },
    });
    return payload;
  };
}
