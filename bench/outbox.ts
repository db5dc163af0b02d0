import { CLAIM_PER_ENDPOINT_MAX } from '../src/webhooks/claim-deliveries.ts';
import { signatureHeader } from '../src/webhooks/signing.ts';
import { type BenchDatabase, adminCall } from './fixtures.ts';
import { type LoadResult, percentile } from './http-load.ts';
import { type Row, describeRounds, roundsRow } from './report.ts';
import { measureRounds } from './rounds.ts';

/**
 * Outbox delivery: N events written straight into the outbox (`events`, as `emit` writes them) for a
 * tenant with one endpoint subscribed, then delivered by the real worker — the `webhook-delivery` job of
 * the running `purse serve` — to a local receiver (the bare Fastify process, answering 201). Throughput is
 * events ÷ (last delivery written − first delivery fanned out), from the deliveries' own timestamps, so the
 * wait for the job's next one-second tick is not counted. The baseline: the same receiver fed by a bare
 * loop of signed POSTs from this process, as many in flight as the worker sends to one endpoint.
 */
const EVENT_TYPE = 'wallet.adjusted';
const INSERT_CHUNK = 500;
const POLL_MS = 50;
/** Generous: a worker below 20 events/s is reported as failing the round, not waited for. */
const DRAIN_TIMEOUT_MIN_MS = 60_000;
const DRAIN_RATE_FLOOR_PER_SECOND = 20;
const BASELINE_SECRET = `whsec_${Buffer.from('purse-bench-outbox-baseline-key!').toString('base64')}`;
const MS_PER_SECOND = 1000;

export interface OutboxEndpoint {
  tenantId: string;
  endpointId: string;
  receiverUrl: string;
}

export async function subscribedEndpoint(purseUrl: string, receiverUrl: string, currency: string): Promise<OutboxEndpoint> {
  const tenant = await adminCall<{ id: string }>(purseUrl, 'POST', '/v1/admin/tenants', { name: 'Outbox receiver', currency });
  const endpoint = await adminCall<{ id: string }>(purseUrl, 'POST', '/v1/admin/webhook-endpoints', { url: receiverUrl, tenantId: tenant.id, events: [EVENT_TYPE] });
  return { tenantId: tenant.id, endpointId: endpoint.id, receiverUrl };
}

/** The `data` of a wallet.adjusted, so bodies are the size real ones are. */
function eventData(i: number): string {
  return JSON.stringify({ currency: 'BRL', balance: 100 + i, held: 0, available: 100 + i, transactionId: `txn_bench_${i}`, reference: `bench-${i}`, amount: 1, reason: 'bench outbox' });
}

/** Writes `count` events for the endpoint's tenant, then waits for the worker to deliver them all. */
export async function deliverOutbox(db: BenchDatabase, target: OutboxEndpoint, count: number, tag: string): Promise<LoadResult> {
  const prefix = `evt_bench_${tag}_`;
  const nowMs = Date.now();
  for (let from = 0; from < count; from += INSERT_CHUNK) {
    const rows = Array.from({ length: Math.min(INSERT_CHUNK, count - from) }, (_, k) => from + k);
    const marks = rows.map((_, k) => `($${k * 3 + 1}, '${EVENT_TYPE}', $${k * 3 + 2}, $${k * 3 + 3}, ${nowMs}, null)`).join(', ');
    await db.query(`insert into events (id, type, tenant_id, data, created_at_ms, dispatched_at_ms) values ${marks}`,
      rows.flatMap((i) => [`${prefix}${String(i).padStart(7, '0')}`, target.tenantId, eventData(i)]));
  }
  const deadline = Date.now() + Math.max(DRAIN_TIMEOUT_MIN_MS, (count / DRAIN_RATE_FLOOR_PER_SECOND) * MS_PER_SECOND);
  let done = await deliveredOf(db, target, prefix);
  while (done.delivered < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    done = await deliveredOf(db, target, prefix);
  }
  const seconds = Math.max(done.lastDeliveredMs - done.firstFannedOutMs, 1) / MS_PER_SECOND;
  return {
    okPerSecond: done.delivered / seconds, p50Ms: Number.NaN, p99Ms: Number.NaN, meanMs: Number.NaN,
    ok: done.delivered, failed: count - done.delivered, statusCounts: {}, durationSeconds: seconds,
  };
}

async function deliveredOf(db: BenchDatabase, target: OutboxEndpoint, prefix: string): Promise<{ delivered: number; firstFannedOutMs: number; lastDeliveredMs: number }> {
  const [row] = await db.query<{ n: number | string; first_ms: number | string | null; last_ms: number | string | null }>(
    `select count(*) as n, min(created_at_ms) as first_ms, max(delivered_at_ms) as last_ms from webhook_deliveries
     where endpoint_id = $1 and event_id like $2 and state = 'delivered'`,
    [target.endpointId, `${prefix}%`],
  );
  return { delivered: Number(row?.n ?? 0), firstFannedOutMs: Number(row?.first_ms ?? 0), lastDeliveredMs: Number(row?.last_ms ?? 0) };
}

/** The baseline: `count` signed POSTs of the same bodies to the same receiver, CLAIM_PER_ENDPOINT_MAX in flight. */
export async function signedPostLoop(receiverUrl: string, count: number, tag: string): Promise<LoadResult> {
  const times: number[] = [];
  let failed = 0;
  let next = 0;
  const sender = async () => {
    while (next < count) {
      const i = next;
      next += 1;
      const id = `evt_bare_${tag}_${i}`;
      const body = JSON.stringify({ id, type: EVENT_TYPE, createdAt: new Date().toISOString(), tenantId: 'ten_bench', data: JSON.parse(eventData(i)) as unknown });
      const timestamp = Math.floor(Date.now() / MS_PER_SECOND);
      const startMs = performance.now();
      const res = await fetch(receiverUrl, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader([BASELINE_SECRET], id, timestamp, body) },
      }).catch(() => undefined);
      await res?.body?.cancel().catch(() => {});
      times.push(performance.now() - startMs);
      if (!res || res.status < 200 || res.status >= 300) failed += 1;
    }
  };
  const startMs = performance.now();
  await Promise.all(Array.from({ length: CLAIM_PER_ENDPOINT_MAX }, sender));
  const seconds = (performance.now() - startMs) / MS_PER_SECOND;
  const ok = count - failed;
  return {
    okPerSecond: ok / seconds, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    ok, failed, statusCounts: {}, durationSeconds: seconds,
  };
}

export interface OutboxRun {
  kind: 'sqlite' | 'postgres';
  purse: { url: string; pid: number };
  receiverUrl: string;
  db: BenchDatabase;
  rounds: number;
  /** Events per round (and POSTs per baseline round). */
  events: number;
  runTag: string;
}

export const OUTBOX_SCENARIO = 'outbox delivery → local receiver';
const OUTBOX_WARMUP_SHARE = 0.2;

/** Warm-up (not measured), then rounds of baseline loop / worker drain, A/B/A/B like every other scenario. */
export async function measureOutbox(run: OutboxRun): Promise<Row> {
  const target = await subscribedEndpoint(run.purse.url, run.receiverUrl, 'BRL');
  const warmup = Math.max(CLAIM_PER_ENDPOINT_MAX, Math.floor(run.events * OUTBOX_WARMUP_SHARE));
  await deliverOutbox(run.db, target, warmup, `${run.runTag}_w`);
  let bareRound = 0;
  const result = await measureRounds({
    rounds: run.rounds,
    bare: () => signedPostLoop(run.receiverUrl, run.events, `${run.runTag}_${(bareRound += 1)}`),
    scenario: (round) => deliverOutbox(run.db, target, run.events, `${run.runTag}_r${round}`),
    probe: { serverPid: run.purse.pid, database: run.kind },
  });
  const row = roundsRow(run.kind, OUTBOX_SCENARIO, CLAIM_PER_ENDPOINT_MAX, result, 'events/s');
  row.note = `${run.events} events/round; ×bare = vs a bare loop of signed POSTs to the same receiver, ${CLAIM_PER_ENDPOINT_MAX} in flight`;
  console.log(`  ${OUTBOX_SCENARIO}: ${describeRounds(result, row.unit)}`);
  return row;
}
