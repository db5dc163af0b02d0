import { PurseError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { redirectUrl } from '../checkout/validate-checkout.ts';
import type { Ctx } from '../context.ts';
import { hashPortalSecret, newPortalSecret } from './portal-secrets.ts';

/** How long a portal link can be opened; once opened, the browser session lives PORTAL_SESSION_LIFETIME_MS. */
export const PORTAL_LINK_LIFETIME_MS = 60 * 60 * 1000;

export interface PortalLink {
  url: string;
  expiresAt: string;
}

/**
 * `POST …/portal-sessions`: a link to `/billing` for one tenant, valid for an hour and usable once.
 * Only the token's hash is stored; the link is shown to the caller and nowhere else (so no idempotent
 * replay: a retry mints another link, which moves no money).
 */
export async function createPortalSession(ctx: Ctx, tenantId: string, input: { returnUrl?: string | undefined }): Promise<PortalLink> {
  const returnUrl = redirectUrl(input.returnUrl, 'returnUrl', ctx.config);
  const tenant = await ctx.store.db.selectFrom('tenants').select('status').where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw new PurseError('NOT_FOUND');
  if (tenant.status !== 'active') throw new PurseError('TENANT_DISABLED');
  const token = newPortalSecret();
  const nowMs = ctx.nowMs();
  const expiresAtMs = nowMs + PORTAL_LINK_LIFETIME_MS;
  // In a store transaction so an audited caller's entry commits with the link (store/commit-rider.ts).
  await ctx.store.transact((trx) => trx.insertInto('portal_sessions').values({
    id: newId('prt'), tenant_id: tenantId, link_token_hash: hashPortalSecret(token), cookie_hash: null,
    return_url: returnUrl ?? null, link_expires_at_ms: BigInt(expiresAtMs), opened_at_ms: null, expires_at_ms: null,
    created_at_ms: BigInt(nowMs),
  }).execute());
  return { url: `${ctx.config.publicUrl}/billing?session=${token}`, expiresAt: new Date(expiresAtMs).toISOString() };
}
