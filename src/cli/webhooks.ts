import type { Ctx } from '../context.ts';
import { listDeliveries, redeliverEvent, sendTestEvent } from '../webhooks/deliveries.ts';
import { runWebhookWorker } from '../webhooks/delivery-worker.ts';
import type { EndpointOwner } from '../webhooks/endpoints-store.ts';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint } from '../webhooks/manage-endpoints.ts';
import { UsageError, flags, optional, output, required } from './args.ts';

const ADMIN: EndpointOwner = { kind: 'admin' };
type Handler = (ctx: Ctx, argv: string[]) => Promise<void>;

/** `purse webhooks …`: the operator's webhook endpoint API, straight against the database. */
export async function webhooksCommand(ctx: Ctx, argv: string[]): Promise<number> {
  const [action = '', ...rest] = argv;
  const handler = HANDLERS[action];
  if (!handler) throw new UsageError(`unknown command: purse webhooks ${action}`.trim());
  await handler(ctx, rest);
  return 0;
}

const events = (raw: string | undefined) => (raw === undefined ? undefined : raw.split(',').map((e) => e.trim()).filter((e) => e !== ''));

const HANDLERS: Record<string, Handler> = {
  create: async (ctx, argv) => {
    const { values } = flags(argv, { url: 'string', events: 'string', tenant: 'string', description: 'string', json: 'boolean' });
    const endpoint = await createEndpoint(ctx, ADMIN, { url: required(values, 'url'), events: events(optional(values, 'events')), tenantId: optional(values, 'tenant'), description: optional(values, 'description') });
    output(values, endpoint, `created endpoint ${endpoint.id} → ${endpoint.url}\nsecret (shown once): ${endpoint.secret}`);
  },
  list: async (ctx, argv) => {
    const { values } = flags(argv, { tenant: 'string', json: 'boolean' });
    const page = await listEndpoints(ctx, ADMIN, { tenantId: optional(values, 'tenant'), limit: '100' });
    output(values, page.data, page.data.map((e) => `${e.id}  ${e.enabled ? 'enabled ' : 'disabled'}  ${e.tenantId ?? '*'}  ${e.url}  ${e.events.join(',') || '(all)'}`).join('\n'));
  },
  get: async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const endpoint = await getEndpoint(ctx, ADMIN, positional(positionals, 'endpointId'));
    output(values, endpoint, JSON.stringify(endpoint, null, 2));
  },
  update: async (ctx, argv) => {
    const { values, positionals } = flags(argv, { url: 'string', events: 'string', enable: 'boolean', disable: 'boolean', json: 'boolean' });
    const enabled = values.enable ? true : values.disable ? false : undefined;
    const endpoint = await updateEndpoint(ctx, ADMIN, positional(positionals, 'endpointId'), { url: optional(values, 'url'), events: events(optional(values, 'events')), enabled });
    output(values, endpoint, `updated endpoint ${endpoint.id}`);
  },
  delete: async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const deleted = await deleteEndpoint(ctx, ADMIN, positional(positionals, 'endpointId'));
    output(values, deleted, `deleted endpoint ${deleted.id}`);
  },
  'rotate-secret': async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const endpoint = await rotateEndpointSecret(ctx, ADMIN, positional(positionals, 'endpointId'));
    output(values, endpoint, `new secret (shown once; the old one signs too for 24 h): ${endpoint.secret}`);
  },
  deliveries: async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const page = await listDeliveries(ctx, ADMIN, positional(positionals, 'endpointId'), { limit: '100' });
    output(values, page.data, page.data.map((d) => `${d.id}  ${d.eventType}  ${d.state}  attempts=${d.attempts}  ${d.lastError ?? ''}`).join('\n'));
  },
  redeliver: async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const result = await redeliverEvent(ctx, positional(positionals, 'eventId'));
    output(values, result, `event ${result.eventId} queued again for ${result.deliveries} endpoint(s)`);
  },
  test: async (ctx, argv) => {
    const { values, positionals } = flags(argv, { json: 'boolean' });
    const result = await sendTestEvent(ctx, ADMIN, positional(positionals, 'endpointId'));
    output(values, result, `test event ${result.eventId} queued`);
  },
  deliver: async (ctx, argv) => {
    const { values } = flags(argv, { json: 'boolean' });
    const claimed = await runWebhookWorker(ctx, { wait: true });
    output(values, { attempted: claimed }, `attempted ${claimed} delivery(ies)`);
  },
};

function positional(positionals: string[], name: string): string {
  const value = positionals[0];
  if (!value) throw new UsageError(`<${name}> is required`);
  return value;
}
