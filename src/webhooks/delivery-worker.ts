import type { Ctx } from '../context.ts';
import { CLAIM_PER_ENDPOINT_MAX, claimDueDeliveries, type Delivery } from './claim-deliveries.ts';
import type { EventRow } from '../store/schema.ts';
import type { Endpoint } from './endpoints-store.ts';
import { fanOutBacklog } from './fan-out.ts';
import { type Attempt, recordAttempts } from './record-attempt.ts';
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
 * Claims after the first that one endpoint's sender may make in one pass, each taking up to
 * CLAIM_PER_ENDPOINT_MAX; past that the endpoint waits for the next pass (a backlog never pins a worker).
 */
export const ENDPOINT_CLAIMS_PER_PASS_MAX = 1_000;

/**
 * One pass: fan out new events, claim due deliveries, send them. Each endpoint gets a sender of its own:
 * it sends its claimed deliveries side by side, writes the outcomes, and, while it keeps finding a full
 * batch due, claims that endpoint's next ones at once instead of waiting for the next pass, so a backlog
 * drains at the receiver's pace. An endpoint still busy from an earlier pass is skipped, not waited for,
 * so one slow receiver never delays another. `wait: false` (the job) returns once the sends have
 * started; `wait: true` (tests, `purse webhooks deliver`) returns when they have all finished. Returns
 * how many deliveries it claimed.
 */
export async function runWebhookWorker(ctx: Ctx, opts: { wait: boolean } = { wait: true }): Promise<number> {
  const state = stateOf(ctx);
  await fanOutBacklog(ctx);
  const claimed = await claimDueDeliveries(ctx, ctx.nowMs(), claimUntil(ctx), { except: [...state.busy.keys()] });
  if (claimed.length === 0) return 0;
  const groups = new Map<string, Delivery[]>();
  for (const delivery of claimed) groups.set(delivery.endpoint_id, [...(groups.get(delivery.endpoint_id) ?? []), delivery]);
  let total = claimed.length;
  const started: Promise<void>[] = [];
  for (const [endpointId, deliveries] of groups) {
    const sending = sendForEndpoint(ctx, endpointId, deliveries)
      .then((more) => {
        total += more;
      })
      // Nothing here may take the worker down: whatever was claimed and not written lapses and is taken again.
      .catch((err: unknown) => ctx.log.error({ endpointId, err: err instanceof Error ? err.message : String(err) }, 'webhook sender stopped; its claims lapse and are retried'))
      .finally(() => state.busy.delete(endpointId));
    state.busy.set(endpointId, sending);
    started.push(sending);
  }
  if (!opts.wait) return claimed.length;
  await Promise.all(started);
  return total;
}

/** One endpoint's sender: this batch, then its next due ones while batches come back full and delivered. Returns the extra claimed. */
async function sendForEndpoint(ctx: Ctx, endpointId: string, first: Delivery[]): Promise<number> {
  let batch = first;
  let more = 0;
  for (let claims = 0; ; claims += 1) {
    const endpoint = await ctx.store.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).executeTakeFirst();
    if (!endpoint) return more;
    const events = byId(await ctx.store.db.selectFrom('events').select(['id', 'type', 'tenant_id', 'data', 'created_at_ms'])
      .where('id', 'in', unique(batch.map((d) => d.event_id))).execute());
    const attempts = await Promise.all(batch.map((d) => attemptOne(ctx, endpoint, d, events.get(d.event_id))));
    await recordBatch(ctx, endpoint, attempts);
    // A receiver that answered nothing but failures gets its backlog on the next pass, not all at once now.
    const anyDelivered = attempts.some((a) => a?.outcome.ok === true);
    if (!anyDelivered || batch.length < CLAIM_PER_ENDPOINT_MAX || claims >= ENDPOINT_CLAIMS_PER_PASS_MAX) return more;
    batch = await claimDueDeliveries(ctx, ctx.nowMs(), claimUntil(ctx), { only: endpointId });
    if (batch.length === 0) return more;
    more += batch.length;
  }
}

function claimUntil(ctx: Ctx): number {
  return ctx.nowMs() + DELIVERY_TIMEOUT_MS + CLAIM_MARGIN_MS;
}

/** Waits for every send this instance has in flight (shutdown, tests). */
export async function drainWebhookWorker(ctx: Ctx): Promise<void> {
  await Promise.allSettled([...stateOf(ctx).busy.values()]);
}

type EventRecord = Pick<EventRow, 'id' | 'type' | 'tenant_id' | 'data' | 'created_at_ms'>;

/** One HTTP attempt; null when it cannot be made (its event is gone: an invariant broken, logged, the claim lapses). */
async function attemptOne(ctx: Ctx, endpoint: Endpoint, delivery: Delivery, event: EventRecord | undefined): Promise<Attempt | null> {
  if (!event) {
    ctx.log.error({ deliveryId: delivery.id }, 'Invariant violated: a webhook delivery without its event');
    return null;
  }
  const outcome = await sendDelivery(ctx, { url: endpoint.url, messageId: event.id, body: eventBody(event), secrets: signingSecrets(ctx, endpoint) });
  return { delivery, outcome };
}

/** Writes the batch's outcomes; a failure to write is logged (the claims lapse and a later pass retries), never thrown. */
async function recordBatch(ctx: Ctx, endpoint: Endpoint, attempts: Array<Attempt | null>): Promise<void> {
  try {
    await recordAttempts(ctx, endpoint, attempts.filter((a): a is Attempt => a !== null));
  } catch (err) {
    ctx.log.error({ endpointId: endpoint.id, err: err instanceof Error ? err.message : String(err) }, 'webhook delivery attempts could not be recorded');
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
