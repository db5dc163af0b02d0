import { fieldError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import type { Db } from '../store/db.ts';
import { newCommitRider, rideWithFirstCommit } from '../store/commit-rider.ts';
import type { Ctx } from '../context.ts';

/**
 * The audit log: one row per operator write, console or admin API. Append-only: this module has no
 * update or delete, and the database's triggers (migration 0013) refuse both.
 */
export const AUDIT_PAGE_SIZE_DEFAULT = 50;
export const AUDIT_PAGE_SIZE_MAX = 200;
export const AUDIT_FILTER_LENGTH_MAX = 200;
/** Before/after snapshots are kept readable, not unbounded. */
const SNAPSHOT_CHARS_MAX = 4_000;
/** The admin key's actor name (SPEC §9.3). */
export const API_KEY_ACTOR = 'api-key';
const SECRET_FIELD = /secret|password|token|key$/i;

/** A request body or a command's options as an entry keeps them: anything secret-looking left out. */
export function redactSecrets(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body ?? null;
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : v]));
}

export interface AuditActor {
  actor: string;
  role: string;
  requestId?: string | undefined;
}

export interface AuditChange {
  action: string;
  target?: string | undefined;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

function snapshot(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text.length <= SNAPSHOT_CHARS_MAX ? text : JSON.stringify({ truncated: text.slice(0, SNAPSHOT_CHARS_MAX) });
}

/** Appends one entry; pass the transaction of the change itself when there is one, so both commit together. */
export async function appendAudit(db: Db, nowMs: number, who: AuditActor, change: AuditChange): Promise<string> {
  const id = newId('aud');
  await db.insertInto('audit_log').values({
    id, at_ms: BigInt(nowMs), actor: who.actor, role: who.role, action: change.action, target: change.target ?? null,
    before: snapshot(change.before), after: snapshot(change.after), request_id: who.requestId ?? null,
  }).execute();
  return id;
}

/**
 * Runs an operator's write with its audit entry riding on the first transaction the write commits
 * (store/commit-rider.ts): the change and its entry commit together or not at all. When `write` succeeds
 * without committing anything (a replay, a run that found nothing to do), the entry is appended alone:
 * there is no change for it to be apart from. A write that fails leaves no entry unless it committed one.
 */
export async function auditWrite<T>(ctx: Ctx, who: AuditActor, change: AuditChange, write: () => Promise<T>): Promise<T> {
  const rider = newCommitRider((trx) => appendAudit(trx, ctx.nowMs(), who, change).then(() => undefined));
  let value: T;
  try {
    value = await rideWithFirstCommit(rider, write);
  } finally {
    rider.closed = true;
  }
  if (!rider.committed) await appendAudit(ctx.store.db, ctx.nowMs(), who, change);
  return value;
}

export interface AuditQuery {
  actor?: string | undefined;
  target?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** Newest first, keyset pages on seq; filters use the (actor, seq) and (target, seq) indexes. */
export async function listAudit(ctx: Ctx, query: AuditQuery): Promise<{ data: AuditEntry[]; nextCursor: string | null }> {
  const limit = Math.min(query.limit ?? AUDIT_PAGE_SIZE_DEFAULT, AUDIT_PAGE_SIZE_MAX);
  const before = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
  const rows = await ctx.store.db.selectFrom('audit_log').selectAll()
    .$if(query.actor !== undefined, (qb) => qb.where('actor', '=', query.actor!))
    .$if(query.target !== undefined, (qb) => qb.where('target', '=', query.target!))
    .$if(before !== undefined, (qb) => qb.where('seq', '<', before!))
    .orderBy('seq', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    data: page.map((r) => ({
      id: r.id, at: new Date(Number(r.at_ms)).toISOString(), actor: r.actor, role: r.role, action: r.action, target: r.target,
      before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after), requestId: r.request_id,
    })),
    nextCursor: rows.length > limit && page.length > 0 ? encodeAuditCursor(page.at(-1)!.seq) : null,
  };
}

const SEQ_PATTERN = /^[1-9][0-9]{0,18}$/;

function encodeAuditCursor(seq: bigint): string {
  return Buffer.from(`audit:${seq}`, 'utf8').toString('base64url');
}

function decodeAuditCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith('audit:') ? text.slice('audit:'.length) : '';
  if (!SEQ_PATTERN.test(seq) || encodeAuditCursor(BigInt(seq)) !== cursor) throw fieldError('CURSOR_INVALID', 'cursor', 'is not a cursor returned by this endpoint');
  return BigInt(seq);
}
