import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteRegistrar } from '../api/kit.ts';
import type { Ctx } from '../context.ts';

/**
 * `/metrics` in Prometheus text format (prom-client). Counters and histograms are per process (one
 * registry, like the process they describe); gauges read live state when scraped: the Stripe webhook
 * inbox, the events outbox, the group commit, the PostgreSQL pool.
 */
const PROCESS_REGISTRY = new Registry();
const REQUEST_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const requests = new Counter({ name: 'purse_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [PROCESS_REGISTRY] });
const latency = new Histogram({ name: 'purse_http_request_duration_seconds', help: 'HTTP request latency by route and status', labelNames: ['method', 'route', 'status'], buckets: REQUEST_BUCKETS_SECONDS, registers: [PROCESS_REGISTRY] });
const operations = new Counter({
  name: 'purse_wallet_operations_total',
  help: 'Acknowledged wallet operations: debit (usage), credit (admin adjustment), hold_place, hold_capture, hold_void',
  labelNames: ['operation'],
  registers: [PROCESS_REGISTRY],
});

/** Which successful route answers are which wallet operation (2xx only; a replay of a debit counts once per answer). */
const OPERATIONS: Record<string, string> = {
  'POST /v1/billing/usage': 'debit',
  'POST /v1/admin/tenants/:tenantId/adjustments': 'credit',
  'POST /v1/billing/holds': 'hold_place',
  'POST /v1/billing/holds/:id/capture': 'hold_capture',
  'POST /v1/billing/holds/:id/void': 'hold_void',
};
const NANOSECONDS_PER_SECOND = 1e9;
const HTTP_OK_MIN = 200;
const HTTP_OK_MAX = 299;
const MS_PER_SECOND = 1000;
/** PostgreSQL batches hold at most PG_BATCH_ITEMS_MAX (48), SQLite ones up to SQLITE_BATCH_ITEMS_MAX (256). */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 48, 64, 128, 256];

export const registerMetrics: RouteRegistrar = (app, ctx) => {
  const registry = Registry.merge([PROCESS_REGISTRY, liveGauges(ctx)]);
  app.get('/metrics', { config: { auth: { kind: 'public' } }, schema: { hide: true } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};

/** onRequest, on every route but the plain ones (http/request-tax.ts): when the request arrived. */
export async function observeRequestStart(request: FastifyRequest): Promise<void> {
  request.metricsStartNs = process.hrtime.bigint();
}

/** onResponse, on the same routes: the request counted and timed, by route and status. */
export async function observeRequestEnd(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // Unmatched URLs share one label, so a scan cannot blow up the series count.
  const route = request.routeOptions.url ?? 'unmatched';
  if (route === '/metrics') return;
  const labels = { method: request.method, route, status: String(reply.statusCode) };
  requests.inc(labels);
  if (request.metricsStartNs !== undefined) latency.observe(labels, Number(process.hrtime.bigint() - request.metricsStartNs) / NANOSECONDS_PER_SECOND);
  const operation = OPERATIONS[`${request.method} ${route}`];
  if (operation && reply.statusCode >= HTTP_OK_MIN && reply.statusCode <= HTTP_OK_MAX) operations.inc({ operation });
}

/** Gauges computed at scrape time from this instance's store, and its group-commit batch sizes. */
function liveGauges(ctx: Ctx): Registry {
  const registry = new Registry();
  registerGroupCommit(ctx, registry);
  new Gauge({
    name: 'purse_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting); absent on SQLite (one connection, no pool)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const [state, value] of Object.entries(ctx.store.poolStats?.() ?? {})) this.set({ state }, value);
    },
  });
  registerInbox(ctx, registry);
  registerOutbox(ctx, registry);
  return registry;
}

function registerGroupCommit(ctx: Ctx, registry: Registry): void {
  const stats = () => ctx.store.batchStats();
  new Gauge({ name: 'purse_group_commit_batches', help: 'Group-commit batches committed or failed since start', registers: [registry], collect() { this.set(stats().batches); } });
  new Gauge({ name: 'purse_group_commit_items', help: 'Pieces of work run in group-commit batches since start', registers: [registry], collect() { this.set(stats().items); } });
  new Gauge({ name: 'purse_group_commit_batch_size_max', help: 'Largest group-commit batch since start', registers: [registry], collect() { this.set(stats().itemsLargest); } });
  new Gauge({ name: 'purse_group_commit_batches_failed', help: 'Group-commit batches that failed as a whole', registers: [registry], collect() { this.set(stats().batchesFailed); } });
  new Gauge({ name: 'purse_group_commit_combined', help: 'Pieces of work answered together by a combiner (PostgreSQL debits)', registers: [registry], collect() { this.set(stats().combined); } });
  new Gauge({ name: 'purse_group_commit_replays', help: 'Optimistic batches run again with savepoints', registers: [registry], collect() { this.set(stats().replays); } });
  const sizes = new Histogram({ name: 'purse_group_commit_batch_size', help: 'Pieces of work per group-commit batch', buckets: BATCH_SIZE_BUCKETS, registers: [registry] });
  ctx.store.observeBatches((items) => sizes.observe(items));
}

interface InboxRead {
  pending: number;
  failing: number;
  deadLettered: number;
  oldestMs: number | null;
}

function registerInbox(ctx: Ctx, registry: Registry): void {
  // One query feeds both inbox gauges: the lag gauge is registered first, so it is collected first.
  let inboxRead: Promise<InboxRead> | undefined;
  new Gauge({
    name: 'purse_webhook_inbox_lag_seconds',
    help: 'Age of the oldest Stripe event still to process, dead letters aside (0 when none)',
    registers: [registry],
    async collect() {
      inboxRead = readInbox(ctx);
      const { oldestMs } = await inboxRead;
      this.set(oldestMs === null ? 0 : Math.max(0, ctx.nowMs() - oldestMs) / MS_PER_SECOND);
    },
  });
  new Gauge({
    name: 'purse_webhook_inbox_events',
    help: 'Stripe events still to process (pending), those of them whose last attempt failed (failing), and those given up on (dead_lettered; see `purse events failed`)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const row = await (inboxRead ?? readInbox(ctx));
      this.set({ state: 'pending' }, row.pending);
      this.set({ state: 'failing' }, row.failing);
      this.set({ state: 'dead_lettered' }, row.deadLettered);
    },
  });
}

/** Unprocessed rows only (the stripe_events_pending index): processed events are never read. */
async function readInbox(ctx: Ctx): Promise<InboxRead> {
  const result = await sql<{ pending: unknown; failing: unknown; dead: unknown; oldest: unknown }>`
    SELECT COUNT(CASE WHEN failed_at_ms IS NULL THEN 1 END) AS pending,
      COUNT(CASE WHEN failed_at_ms IS NULL AND last_error IS NOT NULL THEN 1 END) AS failing,
      COUNT(failed_at_ms) AS dead,
      MIN(CASE WHEN failed_at_ms IS NULL THEN received_at_ms END) AS oldest
    FROM stripe_events WHERE processed_at_ms IS NULL`.execute(ctx.store.db);
  const row = result.rows[0];
  return {
    pending: Number(row?.pending ?? 0), failing: Number(row?.failing ?? 0), deadLettered: Number(row?.dead ?? 0),
    oldestMs: row?.oldest == null ? null : Number(row.oldest),
  };
}

/**
 * The events outbox: events not yet fanned out to endpoints, and deliveries waiting for a (re)try. Each
 * a count over its own index (events_dispatch, webhook_deliveries_due), so a scrape stays cheap.
 */
function registerOutbox(ctx: Ctx, registry: Registry): void {
  // One query feeds both event gauges: the backlog gauge is registered first, so it is collected first.
  let eventsRead: Promise<{ count: number; oldestMs: number | null }> | undefined;
  new Gauge({
    name: 'purse_outbox_backlog',
    help: 'Events not yet fanned out to webhook endpoints (events), and webhook deliveries still to send or retry (deliveries)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      eventsRead = readUndispatched(ctx);
      const [events, deliveries] = await Promise.all([
        eventsRead,
        ctx.store.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'pending').executeTakeFirst(),
      ]);
      this.set({ kind: 'events' }, events.count);
      this.set({ kind: 'deliveries' }, Number(deliveries?.n ?? 0));
    },
  });
  new Gauge({
    name: 'purse_outbox_lag_seconds',
    help: 'Age of the oldest event not yet fanned out (0 when none)',
    registers: [registry],
    async collect() {
      // Taken once: a lag read on its own (not after the backlog in one scrape) must not reuse an old answer.
      const read = eventsRead ?? readUndispatched(ctx);
      eventsRead = undefined;
      const { oldestMs } = await read;
      this.set(oldestMs === null ? 0 : Math.max(0, ctx.nowMs() - oldestMs) / MS_PER_SECOND);
    },
  });
}

/** Events not yet fanned out (the events_dispatch index): how many, and the oldest one's time. */
async function readUndispatched(ctx: Ctx): Promise<{ count: number; oldestMs: number | null }> {
  const row = await ctx.store.db.selectFrom('events')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('created_at_ms').as('oldest')])
    .where('dispatched_at_ms', 'is', null).executeTakeFirst();
  return { count: Number(row?.n ?? 0), oldestMs: row?.oldest == null ? null : Number(row.oldest) };
}
