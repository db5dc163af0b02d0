import { type AuditActor, appendAudit } from '../audit/audit-log.ts';
import type { Ctx } from '../context.ts';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { hashOperatorSecret, newOperatorSecret } from './operator-secrets.ts';
import { type Role, isRole } from './roles.ts';

/** Operator accounts: create (with a one-time set-password link), list, disable, reset the password. */
export const SET_PASSWORD_LINK_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const EMAIL_LENGTH_MAX = 254;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

export interface OperatorView {
  id: string;
  email: string;
  role: Role;
  status: 'active' | 'disabled';
  hasPassword: boolean;
  createdAt: string;
}

export interface SetPasswordLink {
  operator: OperatorView;
  url: string;
  expiresAt: string;
}

function normalizeEmail(raw: unknown): string {
  const email = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (email.length > EMAIL_LENGTH_MAX || !EMAIL_PATTERN.test(email)) throw fieldError('VALIDATION_ERROR', 'email', 'must be an email address');
  return email;
}

type OperatorRecord = { id: string; email: string; role: string; status: string; password_hash: string | null; created_at_ms: bigint };

export function toOperatorView(row: OperatorRecord): OperatorView {
  return {
    id: row.id, email: row.email, role: isRole(row.role) ? row.role : 'viewer', status: row.status === 'active' ? 'active' : 'disabled',
    hasPassword: row.password_hash !== null, createdAt: new Date(Number(row.created_at_ms)).toISOString(),
  };
}

function linkOf(ctx: Ctx, token: string): string {
  return new URL(`/admin/set-password?token=${token}`, ctx.config.publicUrl).toString();
}

export async function createOperator(ctx: Ctx, who: AuditActor, input: { email: unknown; role: unknown }): Promise<SetPasswordLink> {
  const email = normalizeEmail(input.email);
  if (!isRole(input.role)) throw fieldError('VALIDATION_ERROR', 'role', 'must be owner, support or viewer');
  const nowMs = ctx.nowMs();
  const token = newOperatorSecret();
  const row = {
    id: newId('opr'), email, role: input.role, status: 'active', password_hash: null, set_password_token_hash: hashOperatorSecret(token),
    set_password_expires_at_ms: BigInt(nowMs + SET_PASSWORD_LINK_LIFETIME_MS), created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs),
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('operators').select('id').where('email', '=', email).executeTakeFirst();
    if (taken) throw fieldError('CONFLICT', 'email', 'an operator with this email exists');
    await trx.insertInto('operators').values(row).execute();
    await appendAudit(trx, nowMs, who, { action: 'operator.create', target: row.id, after: { email, role: row.role } });
  });
  return { operator: toOperatorView(row), url: linkOf(ctx, token), expiresAt: new Date(nowMs + SET_PASSWORD_LINK_LIFETIME_MS).toISOString() };
}

export async function listOperators(ctx: Ctx): Promise<OperatorView[]> {
  const rows = await ctx.store.db.selectFrom('operators').selectAll().orderBy('email').execute();
  return rows.map(toOperatorView);
}

async function findOperator(ctx: Ctx, idOrEmail: string) {
  const row = await ctx.store.db.selectFrom('operators').selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrEmail), eb('email', '=', idOrEmail.trim().toLowerCase())])).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return row;
}

/** Disabled: no login, and every open session ends at once. */
export async function disableOperator(ctx: Ctx, who: AuditActor, idOrEmail: string): Promise<OperatorView> {
  const row = await findOperator(ctx, idOrEmail);
  const nowMs = ctx.nowMs();
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx.updateTable('operators').set({ status: 'disabled', set_password_token_hash: null, updated_at_ms: BigInt(nowMs) }).where('id', '=', row.id).execute();
    await trx.deleteFrom('operator_sessions').where('operator_id', '=', row.id).execute();
    await appendAudit(trx, nowMs, who, { action: 'operator.disable', target: row.id, before: { status: row.status }, after: { status: 'disabled' } });
  });
  return toOperatorView({ ...row, status: 'disabled' });
}

/** A new one-time link; the old password stops working and every session ends. */
export async function resetOperatorPassword(ctx: Ctx, who: AuditActor, idOrEmail: string): Promise<SetPasswordLink> {
  const row = await findOperator(ctx, idOrEmail);
  const nowMs = ctx.nowMs();
  const token = newOperatorSecret();
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx.updateTable('operators').set({
      password_hash: null, set_password_token_hash: hashOperatorSecret(token), set_password_expires_at_ms: BigInt(nowMs + SET_PASSWORD_LINK_LIFETIME_MS),
      failed_logins: 0n, locked_until_ms: null, updated_at_ms: BigInt(nowMs),
    }).where('id', '=', row.id).execute();
    await trx.deleteFrom('operator_sessions').where('operator_id', '=', row.id).execute();
    await appendAudit(trx, nowMs, who, { action: 'operator.reset_password', target: row.id });
  });
  return { operator: toOperatorView({ ...row, password_hash: null }), url: linkOf(ctx, token), expiresAt: new Date(nowMs + SET_PASSWORD_LINK_LIFETIME_MS).toISOString() };
}

/** Redeems a set-password link (once, before it expires) for an active operator. */
export async function setOperatorPassword(ctx: Ctx, token: string, password: string): Promise<OperatorView> {
  const problem = passwordProblem(password);
  if (problem) throw fieldError('VALIDATION_ERROR', 'password', problem);
  const nowMs = ctx.nowMs();
  const row = await ctx.store.db.selectFrom('operators').selectAll().where('set_password_token_hash', '=', hashOperatorSecret(token)).executeTakeFirst();
  if (!row || row.status !== 'active' || row.set_password_expires_at_ms === null || row.set_password_expires_at_ms < BigInt(nowMs)) throw new PurseError('NOT_FOUND');
  const passwordHash = await hashPassword(password);
  await ctx.store.db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('operators').set({ password_hash: passwordHash, set_password_token_hash: null, set_password_expires_at_ms: null, updated_at_ms: BigInt(nowMs) })
      .where('id', '=', row.id).where('set_password_token_hash', '=', row.set_password_token_hash).executeTakeFirst();
    if (used.numUpdatedRows !== 1n) throw new PurseError('NOT_FOUND');
    await appendAudit(trx, nowMs, { actor: row.email, role: row.role }, { action: 'operator.set_password', target: row.id });
  });
  return toOperatorView({ ...row, password_hash: passwordHash });
}
