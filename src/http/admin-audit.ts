import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { API_KEY_ACTOR, type AuditActor, type AuditChange, appendAudit, redactSecrets } from '../audit/audit-log.ts';
import type { Ctx } from '../context.ts';
import { type CommitRider, newCommitRider, rideWithFirstCommit } from '../store/commit-rider.ts';

/**
 * Every write through the admin API (admin key) is audited as actor `api-key`, in the same commit as the
 * change: the handler runs with the entry as a commit rider (store/commit-rider.ts), so whichever service
 * makes the write, its first committed transaction carries the entry — a crash leaves both or neither.
 * A successful write that committed nothing (an idempotent replay, a reconcile that found nothing) gets
 * its entry on the way out. The action is the route, the target its first path id, "after" the request
 * body with anything secret-looking left out; a secret a response shows once (a new key) is never copied.
 */
const RIDERS = new WeakMap<FastifyRequest, { rider: CommitRider; who: AuditActor; change: AuditChange }>();

function isAdminWrite(request: FastifyRequest): boolean {
  return request.routeOptions.config.auth?.kind === 'admin' && request.method !== 'GET' && request.method !== 'HEAD';
}

/** preHandler (callback style, so the rest of the request runs inside the rider's scope). */
export function carryAdminAudit(ctx: Ctx) {
  return function carryAdminAuditEntry(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (!isAdminWrite(request)) return done();
    const params = (request.params ?? {}) as Record<string, string>;
    const who: AuditActor = { actor: API_KEY_ACTOR, role: 'owner', requestId: request.id };
    const change: AuditChange = { action: `${request.method} ${request.routeOptions.url ?? ''}`, target: Object.values(params)[0], after: { body: redactSecrets(request.body) } };
    const rider = newCommitRider(async (trx) => {
      await appendAudit(trx, ctx.nowMs(), who, change);
    });
    RIDERS.set(request, { rider, who, change });
    rideWithFirstCommit(rider, done);
  };
}

/** onSend: the entry of a successful write that committed nothing. */
export function auditAdminWrites(ctx: Ctx) {
  return async function auditAdminWrite(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const carried = RIDERS.get(request);
    if (!carried) return payload;
    carried.rider.closed = true;
    if (carried.rider.committed || reply.statusCode >= 400) return payload;
    await appendAudit(ctx.store.db, ctx.nowMs(), carried.who, carried.change);
    return payload;
  };
}
