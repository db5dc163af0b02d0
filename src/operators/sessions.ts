import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { verifyPassword } from './passwords.ts';
import { hashOperatorSecret, newOperatorSecret } from './operator-secrets.ts';
import { type Role, isRole } from './roles.ts';

/**
 * Operator sessions: a random cookie (stored as SHA-256 only) that ends after 30 idle minutes, and
 * login lock-out: 10 failed passwords per account within 15 minutes lock it for 15 minutes.
 */
export const SESSION_IDLE_TIMEOUT_MS = 30 * 60 * 1000;
/** last_seen is written at most this often, so reading pages does not write on every request. */
const SESSION_TOUCH_INTERVAL_MS = 60 * 1000;
export const LOGIN_FAILURES_MAX = 10;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_LOCK_MS = 15 * 60 * 1000;

export interface OperatorSession {
  sessionId: string;
  operatorId: string;
  email: string;
  role: Role;
}

export interface LoginResult {
  session: OperatorSession;
  cookie: string;
}

/**
 * Checks the password and opens a new session: always a new cookie (no session fixation), and the
 * session the browser came with, if any, is ended. Unknown email and wrong password look the same.
 */
export async function loginOperator(ctx: Ctx, input: { email: string; password: string; previousCookie?: string | undefined }): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const row = await ctx.store.db.selectFrom('operators').selectAll().where('email', '=', email).executeTakeFirst();
  const nowMs = ctx.nowMs();
  if (row && row.locked_until_ms !== null && row.locked_until_ms > BigInt(nowMs)) {
    throw new PurseError('LOGIN_LOCKED', { headers: { 'retry-after': String(Math.ceil((Number(row.locked_until_ms) - nowMs) / 1000)) } });
  }
  const ok = await verifyPassword(input.password, row?.password_hash ?? null);
  if (!row || !ok || row.status !== 'active' || !isRole(row.role)) {
    if (row) await recordFailure(ctx, row.id, nowMs);
    ctx.log.warn({ operatorId: row?.id }, 'operator login refused');
    throw new PurseError('UNAUTHORIZED');
  }
  const cookie = newOperatorSecret();
  const session = { sessionId: newId('ops'), operatorId: row.id, email: row.email, role: row.role };
  await ctx.store.db.transaction().execute(async (trx) => {
    if (input.previousCookie) await trx.deleteFrom('operator_sessions').where('cookie_hash', '=', hashOperatorSecret(input.previousCookie)).execute();
    await trx.insertInto('operator_sessions').values({
      id: session.sessionId, operator_id: row.id, cookie_hash: hashOperatorSecret(cookie), created_at_ms: BigInt(nowMs), last_seen_at_ms: BigInt(nowMs),
    }).execute();
    await trx.updateTable('operators').set({ failed_logins: 0n, failures_since_ms: null, locked_until_ms: null }).where('id', '=', row.id).execute();
  });
  ctx.log.info({ operatorId: row.id, sessionId: session.sessionId }, 'operator logged in');
  return { session, cookie };
}

/** One more failure in the window (a new window when the last one is over); the tenth locks the account. */
async function recordFailure(ctx: Ctx, operatorId: string, nowMs: number): Promise<void> {
  await ctx.store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('operators').select(['failed_logins', 'failures_since_ms']).where('id', '=', operatorId).executeTakeFirstOrThrow();
    const windowOpen = row.failures_since_ms !== null && row.failures_since_ms + BigInt(LOGIN_FAILURE_WINDOW_MS) > BigInt(nowMs);
    const failures = (windowOpen ? row.failed_logins : 0n) + 1n;
    const locked = failures >= BigInt(LOGIN_FAILURES_MAX);
    await trx.updateTable('operators').set({
      failed_logins: locked ? 0n : failures,
      failures_since_ms: locked ? null : windowOpen ? row.failures_since_ms : BigInt(nowMs),
      ...(locked ? { locked_until_ms: BigInt(nowMs + LOGIN_LOCK_MS) } : {}),
    }).where('id', '=', operatorId).execute();
  });
}

/** The live session of a cookie (refreshing its idle clock), or undefined: expired, disabled or unknown. */
export async function readOperatorSession(ctx: Ctx, cookie: string | undefined): Promise<OperatorSession | undefined> {
  if (!cookie) return undefined;
  const nowMs = ctx.nowMs();
  const row = await ctx.store.db.selectFrom('operator_sessions as s').innerJoin('operators as o', 'o.id', 's.operator_id')
    .select(['s.id', 's.operator_id', 's.last_seen_at_ms', 'o.email', 'o.role', 'o.status'])
    .where('s.cookie_hash', '=', hashOperatorSecret(cookie)).executeTakeFirst();
  if (!row || row.status !== 'active' || !isRole(row.role)) return undefined;
  if (Number(row.last_seen_at_ms) + SESSION_IDLE_TIMEOUT_MS <= nowMs) {
    await ctx.store.db.deleteFrom('operator_sessions').where('id', '=', row.id).execute();
    return undefined;
  }
  if (Number(row.last_seen_at_ms) + SESSION_TOUCH_INTERVAL_MS <= nowMs) {
    await ctx.store.db.updateTable('operator_sessions').set({ last_seen_at_ms: BigInt(nowMs) }).where('id', '=', row.id).execute();
  }
  return { sessionId: row.id, operatorId: row.operator_id, email: row.email, role: row.role };
}

export async function logoutOperator(ctx: Ctx, cookie: string | undefined): Promise<void> {
  if (!cookie) return;
  await ctx.store.db.deleteFrom('operator_sessions').where('cookie_hash', '=', hashOperatorSecret(cookie)).execute();
}
