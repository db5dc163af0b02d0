import { PurseError, fieldError } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { newSalt } from '../auth/secrets.ts';
import type { Ctx } from '../context.ts';
import { isEventType } from '../events/catalog.ts';
import { type EndpointOwner, type EndpointView, findOwnedEndpoint, parseIdCursor, parsePageLimit, refreshDebitedSubscriptions, toEndpointView } from './endpoints-store.ts';
import { deriveEndpointSecret } from './signing.ts';
import { parseEndpointUrl, refusedDestination } from './url-guard.ts';

export const DESCRIPTION_LENGTH_MAX = 500;
export const EVENTS_PER_ENDPOINT_MAX = 50;
/** After a rotation the old secret still signs for this long, so receivers can switch without losing events. */
export const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;

export interface EndpointBody {
  url: string;
  events?: string[] | undefined;
  tenantId?: string | undefined;
  description?: string | undefined;
}

export interface EndpointPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  enabled?: boolean | undefined;
  description?: string | null | undefined;
}

export type EndpointWithSecret = EndpointView & { secret: string };

export async function createEndpoint(ctx: Ctx, owner: EndpointOwner, body: EndpointBody): Promise<EndpointWithSecret> {
  const url = await checkUrl(ctx, body.url);
  const events = checkEvents(body.events ?? []);
  const description = checkDescription(body.description ?? null);
  const tenantId = owner.kind === 'tenant' ? owner.tenantId : (body.tenantId ?? null);
  if (owner.kind === 'admin' && tenantId !== null) await requireTenant(ctx, tenantId);
  const nowMs = ctx.nowMs();
  const id = newId('we');
  const salt = newSalt();
  const row = await ctx.store.transact(async (trx) => {
    const inserted = await trx.insertInto('webhook_endpoints').values({
      id, tenant_id: tenantId, owner: owner.kind, url, description, events: JSON.stringify(events), enabled: 1n,
      secret_salt: salt, previous_secret_salt: null, previous_secret_expires_at_ms: null, failing_since_ms: null, disabled_reason: null,
      created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs),
    }).returningAll().executeTakeFirstOrThrow();
    await refreshDebitedSubscriptions(trx, tenantId);
    return inserted;
  });
  ctx.log.info({ endpointId: id, tenantId }, 'webhook endpoint created');
  return { ...toEndpointView(row), secret: deriveEndpointSecret(ctx.secrets.masterKey, id, salt) };
}

export async function listEndpoints(ctx: Ctx, owner: EndpointOwner, query: { limit?: string | undefined; cursor?: string | undefined; tenantId?: string | undefined }): Promise<{ data: EndpointView[]; nextCursor: string | null }> {
  const limit = parsePageLimit(query.limit);
  const cursor = parseIdCursor(query.cursor);
  const tenantId = owner.kind === 'tenant' ? owner.tenantId : query.tenantId;
  const rows = await ctx.store.db.selectFrom('webhook_endpoints').selectAll()
    .$if(owner.kind === 'tenant', (qb) => qb.where('owner', '=', 'tenant'))
    .$if(tenantId !== undefined, (qb) => qb.where('tenant_id', '=', tenantId!))
    .$if(cursor !== undefined, (qb) => qb.where('id', '<', cursor!))
    .orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { data: page.map(toEndpointView), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

export async function getEndpoint(ctx: Ctx, owner: EndpointOwner, id: string): Promise<EndpointView> {
  return toEndpointView(await findOwnedEndpoint(ctx.store.db, owner, id));
}

export async function updateEndpoint(ctx: Ctx, owner: EndpointOwner, id: string, patch: EndpointPatch): Promise<EndpointView> {
  const url = patch.url === undefined ? undefined : await checkUrl(ctx, patch.url);
  const events = patch.events === undefined ? undefined : checkEvents(patch.events);
  const description = patch.description === undefined ? undefined : checkDescription(patch.description);
  const nowMs = ctx.nowMs();
  const row = await ctx.store.transact(async (trx) => {
    const existing = await findOwnedEndpoint(trx, owner, id);
    const updated = await trx.updateTable('webhook_endpoints').set({
      ...(url !== undefined ? { url } : {}),
      ...(events !== undefined ? { events: JSON.stringify(events) } : {}),
      ...(description !== undefined ? { description } : {}),
      // Enabling again clears the failure record: the operator says the receiver is back.
      ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1n : 0n, disabled_reason: null, failing_since_ms: null } : {}),
      updated_at_ms: BigInt(nowMs),
    }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
    await refreshDebitedSubscriptions(trx, existing.tenant_id);
    return updated;
  });
  return toEndpointView(row);
}

export async function deleteEndpoint(ctx: Ctx, owner: EndpointOwner, id: string): Promise<{ id: string; deleted: true }> {
  await ctx.store.transact(async (trx) => {
    const existing = await findOwnedEndpoint(trx, owner, id);
    await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', existing.id).execute();
    await trx.deleteFrom('webhook_endpoints').where('id', '=', existing.id).execute();
    await refreshDebitedSubscriptions(trx, existing.tenant_id);
  });
  ctx.log.info({ endpointId: id }, 'webhook endpoint deleted');
  return { id, deleted: true };
}

/** A new secret, shown once; the old one keeps signing (alongside) for PREVIOUS_SECRET_VALID_MS. */
export async function rotateEndpointSecret(ctx: Ctx, owner: EndpointOwner, id: string): Promise<EndpointWithSecret> {
  const nowMs = ctx.nowMs();
  const salt = newSalt();
  const row = await ctx.store.transact(async (trx) => {
    const existing = await findOwnedEndpoint(trx, owner, id);
    return trx.updateTable('webhook_endpoints').set({
      secret_salt: salt, previous_secret_salt: existing.secret_salt,
      previous_secret_expires_at_ms: BigInt(nowMs + PREVIOUS_SECRET_VALID_MS), updated_at_ms: BigInt(nowMs),
    }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
  });
  ctx.log.info({ endpointId: id }, 'webhook endpoint secret rotated');
  return { ...toEndpointView(row), secret: deriveEndpointSecret(ctx.secrets.masterKey, id, salt) };
}

async function checkUrl(ctx: Ctx, raw: string): Promise<string> {
  const url = parseEndpointUrl(raw);
  if (ctx.config.env === 'production') {
    const refused = await refusedDestination(url);
    if (refused) throw fieldError('URL_NOT_ALLOWED', 'url', `is refused: ${refused}`);
  }
  return url.toString();
}

function checkEvents(events: string[]): string[] {
  if (events.length > EVENTS_PER_ENDPOINT_MAX) throw fieldError('VALIDATION_ERROR', 'events', `must list at most ${EVENTS_PER_ENDPOINT_MAX} types`);
  const unknown = events.find((type) => !isEventType(type) || type === 'webhook_endpoint.test');
  if (unknown !== undefined) throw fieldError('VALIDATION_ERROR', 'events', `names an unknown event type: ${JSON.stringify(unknown.slice(0, 80))}`);
  return [...new Set(events)];
}

function checkDescription(description: string | null): string | null {
  if (description !== null && description.length > DESCRIPTION_LENGTH_MAX) {
    throw fieldError('VALIDATION_ERROR', 'description', `must be at most ${DESCRIPTION_LENGTH_MAX} characters`);
  }
  return description;
}

async function requireTenant(ctx: Ctx, tenantId: string): Promise<void> {
  const tenant = await ctx.store.db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw new PurseError('NOT_FOUND');
}
