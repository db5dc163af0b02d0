import type { Ctx } from '../context.ts';
import { claimDueDeliveries, type Delivery } from './claim-deliveries.ts';
import type { EventRow } from '../store/schema.ts';
import type { Endpoint } from './endpoints-store.ts';
import { fanOutEvents } from './fan-out.ts';
import { recordAttempt } from './record-attempt.ts';
import { DELIVERY_TIMEOUT_MS, sendDelivery } from './send-delivery.ts';
import { deriveEndpointSecret } from './signing.ts';

/** How often the job looks for events to fan out and deliveries that are due. */
export const WEBHOOK_WORKER_EVERY_MS = 1_000;
// The claim outlives the attempt (timeout + writing the outcome) with room to spare.
const CLAIM_MARGIN_MS = 5_000;

interface WorkerState {
  /** Endpoints this instance is sending to right now, and the sends in flight. */
  busy: Map<string, Promise<void>>;
}

const STATES = new WeakMap<Ctx, WorkerState>();

function stateOf(ctx: Ctx): WorkerState {
  let state = STATES.get(ctx);
  if (!state) {
    state = { busy: new Map() };
    STATES.set(ctx, state);
  }
  return state;
}

/**
 * One pass: fan out new events, claim due deliveries, send them. Each endpoint's sends run on their own
 * (an endpoint still busy from an earlier pass is skipped, not waited for), so one slow receiver never
 * delays another. `wait: false` (the job) returns once the sends have started; `wait: true` (tests,
 * `purse webhooks deliver`) returns when they have all finished. Returns how many deliveries it claimed.
 */
export async function runWebhookWorker(ctx: Ctx, opts: { wait: boolean } = { wait: true }): Promise<number> {
  const state = stateOf(ctx);
  await fanOutEvents(ctx);
  const nowMs = ctx.nowMs();
  const claimed = await claimDueDeliveries(ctx, nowMs, nowMs + DELIVERY_TIMEOUT_MS + CLAIM_MARGIN_MS, [...state.busy.keys()]);
  if (claimed.length === 0) return 0;
  const endpoints = byId(await ctx.store.db.selectFrom('webhook_endpoints').selectAll().where('id', 'in', unique(claimed.map((d) => d.endpoint_id))).execute());
  const events = byId(await ctx.store.db.selectFrom('events').selectAll().where('id', 'in', unique(claimed.map((d) => d.event_id))).execute());
  const groups = new Map<string, Delivery[]>();
  for (const delivery of claimed) groups.set(delivery.endpoint_id, [...(groups.get(delivery.endpoint_id) ?? []), delivery]);
  const started: Promise<void>[] = [];
  for (const [endpointId, deliveries] of groups) {
    const endpoint = endpoints.get(endpointId);
    if (!endpoint) continue;
    const sending = Promise.all(deliveries.map((d) => deliverOne(ctx, endpoint, d, events.get(d.event_id))))
      .then(() => undefined)
      .finally(() => state.busy.delete(endpointId));
    state.busy.set(endpointId, sending);
    started.push(sending);
  }
  if (opts.wait) await Promise.all(started);
  return claimed.length;
}

/** Waits for every send this instance has in flight (shutdown, tests). */
export async function drainWebhookWorker(ctx: Ctx): Promise<void> {
  await Promise.allSettled([...stateOf(ctx).busy.values()]);
}

type EventRecord = Pick<EventRow, 'id' | 'type' | 'tenant_id' | 'data' | 'created_at_ms'>;

async function deliverOne(ctx: Ctx, endpoint: Endpoint, delivery: Delivery, event: EventRecord | undefined): Promise<void> {
  try {
    if (!event) throw new Error(`Invariant violated: delivery ${delivery.id} has its event`);
    const outcome = await sendDelivery(ctx, { url: endpoint.url, messageId: event.id, body: eventBody(event), secrets: signingSecrets(ctx, endpoint) });
    await recordAttempt(ctx, delivery, endpoint, outcome);
  } catch (err) {
    // The claim lapses and another pass retries; nothing here may take the worker down.
    ctx.log.error({ deliveryId: delivery.id, err: err instanceof Error ? err.message : String(err) }, 'webhook delivery attempt could not be recorded');
  }
}

/** The wire body (SPEC §8.3), the same bytes on every attempt. */
export function eventBody(event: EventRecord): string {
  const data: unknown = JSON.parse(event.data);
  return JSON.stringify({ id: event.id, type: event.type, createdAt: new Date(Number(event.created_at_ms)).toISOString(), tenantId: event.tenant_id, data });
}

/** The current secret, plus the one before it while it is still inside its rotation window. */
function signingSecrets(ctx: Ctx, endpoint: Endpoint): string[] {
  const secrets = [deriveEndpointSecret(ctx.secrets.masterKey, endpoint.id, endpoint.secret_salt)];
  const previousUntil = endpoint.previous_secret_expires_at_ms;
  if (endpoint.previous_secret_salt !== null && previousUntil !== null && Number(previousUntil) > ctx.nowMs()) {
    secrets.push(deriveEndpointSecret(ctx.secrets.masterKey, endpoint.id, endpoint.previous_secret_salt));
  }
  return secrets;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function byId<R extends { id: string }>(rows: R[]): Map<string, R> {
  return new Map(rows.map((row) => [row.id, row]));
}
