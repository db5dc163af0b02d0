import type { Ctx } from '../context.ts';
import { hashPortalSecret, newPortalSecret } from './portal-secrets.ts';

/** A browser session lasts this long after the link is opened; then the customer asks for a new link. */
export const PORTAL_SESSION_LIFETIME_MS = 60 * 60 * 1000;
const SECRET_LENGTH_MAX = 100;

export interface PortalSession {
  id: string;
  tenantId: string;
  tenantName: string;
  returnUrl: string | null;
  expiresAtMs: number;
}

export interface OpenedSession {
  cookie: string;
  expiresAtMs: number;
}

/**
 * Trades a link token for a browser session, once: the guarded update lets exactly one opener win even
 * when the link is opened twice at the same moment. An unknown, used or expired link gives nothing.
 */
export async function openPortalSession(ctx: Ctx, token: string): Promise<OpenedSession | undefined> {
  if (token.length === 0 || token.length > SECRET_LENGTH_MAX) return undefined;
  const nowMs = ctx.nowMs();
  const cookie = newPortalSecret();
  const expiresAtMs = nowMs + PORTAL_SESSION_LIFETIME_MS;
  const result = await ctx.store.db.updateTable('portal_sessions')
    .set({ cookie_hash: hashPortalSecret(cookie), opened_at_ms: BigInt(nowMs), expires_at_ms: BigInt(expiresAtMs) })
    .where('link_token_hash', '=', hashPortalSecret(token))
    .where('opened_at_ms', 'is', null)
    .where('link_expires_at_ms', '>', BigInt(nowMs))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n ? { cookie, expiresAtMs } : undefined;
}

/** The live session a cookie stands for; expired, unknown, or of a disabled tenant: none. */
export async function readPortalSession(ctx: Ctx, cookie: string | undefined): Promise<PortalSession | undefined> {
  if (!cookie || cookie.length > SECRET_LENGTH_MAX) return undefined;
  const row = await ctx.store.db.selectFrom('portal_sessions')
    .innerJoin('tenants', 'tenants.id', 'portal_sessions.tenant_id')
    .select(['portal_sessions.id', 'portal_sessions.tenant_id', 'portal_sessions.return_url', 'portal_sessions.expires_at_ms', 'tenants.name', 'tenants.status'])
    .where('portal_sessions.cookie_hash', '=', hashPortalSecret(cookie))
    .executeTakeFirst();
  if (!row || row.expires_at_ms === null || Number(row.expires_at_ms) <= ctx.nowMs() || row.status !== 'active') return undefined;
  return { id: row.id, tenantId: row.tenant_id, tenantName: row.name, returnUrl: row.return_url, expiresAtMs: Number(row.expires_at_ms) };
}

/**
 * Where a customer without a live session can go back to: the return URL (and tenant name) of the session a
 * used link or an ended session's cookie belonged to, so the page saying "ended" or "invalid" is no dead end.
 */
export async function portalReturnLink(ctx: Ctx, secret: { token?: string | undefined; cookie?: string | undefined }): Promise<{ url: string; tenantName: string } | undefined> {
  const column = secret.token !== undefined ? 'link_token_hash' : 'cookie_hash';
  const value = secret.token ?? secret.cookie;
  if (!value || value.length > SECRET_LENGTH_MAX) return undefined;
  const row = await ctx.store.db.selectFrom('portal_sessions')
    .innerJoin('tenants', 'tenants.id', 'portal_sessions.tenant_id')
    .select(['portal_sessions.return_url', 'tenants.name'])
    .where(`portal_sessions.${column}`, '=', hashPortalSecret(value))
    .executeTakeFirst();
  return row?.return_url ? { url: row.return_url, tenantName: row.name } : undefined;
}
