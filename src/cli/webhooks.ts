import type { Ctx } from '../context.ts';
import { listDeliveries, redeliverEvent, sendTestEvent } from '../webhooks/deliveries.ts';
import { runWebhookWorker } from '../webhooks/delivery-worker.ts';
import type { EndpointOwner } from '../webhooks/endpoints-store.ts';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint } from '../webhooks/manage-endpoints.ts';
import { type Options, output } from './output.ts';

/** `purse webhooks …`: the operator's webhook endpoint API, straight against the database (see commands.ts). */
const ADMIN: EndpointOwner = { kind: 'admin' };
const LIST_LIMIT = '100';

const text = (opts: Options, name: string) => (typeof opts[name] === 'string' ? (opts[name] as string) : undefined);
const events = (raw: string | undefined) => (raw === undefined ? undefined : raw.split(',').map((e) => e.trim()).filter((e) => e !== ''));

export async function webhooksCreate(ctx: Ctx, opts: Options): Promise<void> {
  const endpoint = await createEndpoint(ctx, ADMIN, { url: String(opts.url), events: events(text(opts, 'events')), tenantId: text(opts, 'tenant'), description: text(opts, 'description') });
  output(opts, endpoint, `created endpoint ${endpoint.id} → ${endpoint.url}\nsecret (shown once): ${endpoint.secret}`);
}

export async function webhooksList(ctx: Ctx, opts: Options): Promise<void> {
  const page = await listEndpoints(ctx, ADMIN, { tenantId: text(opts, 'tenant'), limit: LIST_LIMIT });
  output(opts, page.data, page.data.map((e) => `${e.id}  ${e.enabled ? 'enabled ' : 'disabled'}  ${e.tenantId ?? '*'}  ${e.url}  ${e.events.join(',') || '(all)'}`).join('\n'));
}

export async function webhooksGet(ctx: Ctx, opts: Options, [endpointId]: string[]): Promise<void> {
  const endpoint = await getEndpoint(ctx, ADMIN, String(endpointId));
  output(opts, endpoint, JSON.stringify(endpoint, null, 2));
}

export async function webhooksUpdate(ctx: Ctx, opts: Options, [endpointId]: string[]): Promise<void> {
  const enabled = opts.enable ? true : opts.disable ? false : undefined;
  const endpoint = await updateEndpoint(ctx, ADMIN, String(endpointId), { url: text(opts, 'url'), events: events(text(opts, 'events')), enabled });
  output(opts, endpoint, `updated endpoint ${endpoint.id}`);
}

export async function webhooksDelete(ctx: Ctx, opts: Options, [endpointId]: string[]): Promise<void> {
  const deleted = await deleteEndpoint(ctx, ADMIN, String(endpointId));
  output(opts, deleted, `deleted endpoint ${deleted.id}`);
}

export async function webhooksRotateSecret(ctx: Ctx, opts: Options, [endpointId]: string[]): Promise<void> {
  const endpoint = await rotateEndpointSecret(ctx, ADMIN, String(endpointId));
  output(opts, endpoint, `new secret (shown once; the old one signs too for 24 h): ${endpoint.secret}`);
}

export async function webhooksDeliveries(ctx: Ctx, opts: Options, [endpointId]: string[]): Promise<void> {
  const page = await listDeliveries(ctx, ADMIN, String(endpointId), { limit: LIST_LIMIT });
  output(opts, page.data, page.data.map((d) => `${d.id}  ${d.eventType}  ${d.state}  attempts=${d.attempts}  ${d.lastError ?? ''}`).join('\n'));
}

export async function webhooksRedeliver(ctx: Ctx, opts: Options, [eventId]: string[]): Promise<void> {
  const result = await redeliverEvent(ctx, String(eventId));
  output(opts, result, `event ${result.eventId} queued again for ${result.deliveries} endpoint(s)`);
}

export async function webhooksTest(ctx: Ctx, opts: Options, [endpointId]: string[]): Promise<void> {
  const result = await sendTestEvent(ctx, ADMIN, String(endpointId));
  output(opts, result, `test event ${result.eventId} queued`);
}

export async function webhooksDeliver(ctx: Ctx, opts: Options): Promise<void> {
  const claimed = await runWebhookWorker(ctx, { wait: true });
  output(opts, { attempted: claimed }, `attempted ${claimed} delivery(ies)`);
}
