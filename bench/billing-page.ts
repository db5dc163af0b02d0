import { type BenchTenant, createFundedTenant, inParallel } from './fixtures.ts';
import { percentile } from './http-load.ts';
import { type Row, spreadText } from './report.ts';
import { type Spread, spread } from './rounds.ts';
import type { Scene } from './scenarios.ts';

/**
 * The customer's billing page for a tenant with 10,000 history entries, first page: its server render time
 * (the page's `Server-Timing: render;dur=…`, from the session read to the finished HTML), one request at a
 * time so nothing queues, in rounds, summarised as min/median/max of the rounds' medians. The history is
 * real: 10,000 usage debits through the API, as a customer's usage would write it.
 */
export const BILLING_HISTORY_ENTRIES = 10_000;
const DEBIT_AMOUNT = '0.01';
const SAMPLES_PER_ROUND_FULL = 500;
const SAMPLES_PER_ROUND_QUICK = 100;
const WARMUP_SHARE = 0.2;
const FIRST_PAGE_ROWS = 20;

export interface BillingPageResult {
  historyEntries: number;
  rounds: number;
  samplesPerRound: number;
  /** Per round: the median and the 99th percentile of the server render time, ms. */
  serverP50Ms: Spread;
  serverP99Ms: Spread;
  /** Per round: the median time the client waited for the whole response, ms (loopback HTTP included). */
  wallP50Ms: Spread;
  failed: number;
}

/** Usage debits through the API until the tenant has `entries` transactions after its funding. */
export async function seedHistory(purseUrl: string, tenant: BenchTenant, runTag: string, entries = BILLING_HISTORY_ENTRIES): Promise<void> {
  await inParallel(entries, async (i) => {
    const res = await fetch(`${purseUrl}/v1/billing/usage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey, 'idempotency-key': `${runTag}-page-history-${i}` },
      body: JSON.stringify({ amount: DEBIT_AMOUNT }),
    });
    if (res.status !== 201) throw new Error(`billing page history debit → ${res.status}: ${await res.text()}`);
  });
}

/** A portal link opened the way a browser opens it: the session cookie the page is then read with. */
export async function portalCookie(purseUrl: string, tenant: BenchTenant): Promise<string> {
  const link = await fetch(`${purseUrl}/v1/billing/portal-sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey }, body: '{}',
  });
  if (!link.ok) throw new Error(`portal session → ${link.status}: ${await link.text()}`);
  const { url } = (await link.json()) as { url: string };
  const opened = await fetch(url.replace(/^https?:\/\/[^/]+/, purseUrl), { redirect: 'manual' });
  const cookie = opened.headers.get('set-cookie')?.split(';')[0];
  if (opened.status !== 303 || !cookie) throw new Error(`opening the portal link → ${opened.status}, no cookie`);
  return cookie;
}

interface Sample {
  ok: boolean;
  serverMs: number;
  wallMs: number;
}

async function getPage(purseUrl: string, cookie: string): Promise<Sample> {
  const startMs = performance.now();
  const res = await fetch(`${purseUrl}/billing`, { headers: { cookie, 'accept-language': 'en' } });
  const body = await res.text();
  const wallMs = performance.now() - startMs;
  const serverMs = Number(/render;dur=([0-9.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN);
  // The first page, whole: twenty rows of history and a link to the older ones.
  const rows = body.match(/<tr><td data-label/g)?.length ?? 0;
  return { ok: res.status === 200 && rows === FIRST_PAGE_ROWS && body.includes('rel="next"') && Number.isFinite(serverMs), serverMs, wallMs };
}

export async function billingPageRender(purseUrl: string, tenant: BenchTenant, opts: { rounds: number; quick: boolean }): Promise<BillingPageResult> {
  const cookie = await portalCookie(purseUrl, tenant);
  const samplesPerRound = opts.quick ? SAMPLES_PER_ROUND_QUICK : SAMPLES_PER_ROUND_FULL;
  let failed = 0;
  for (let i = 0; i < Math.ceil(samplesPerRound * WARMUP_SHARE); i += 1) await getPage(purseUrl, cookie);
  const perRound: Array<{ p50: number; p99: number; wall: number }> = [];
  for (let round = 0; round < opts.rounds; round += 1) {
    const samples: Sample[] = [];
    for (let i = 0; i < samplesPerRound; i += 1) samples.push(await getPage(purseUrl, cookie));
    failed += samples.filter((s) => !s.ok).length;
    const good = samples.filter((s) => s.ok);
    perRound.push({ p50: percentile(good.map((s) => s.serverMs), 50), p99: percentile(good.map((s) => s.serverMs), 99), wall: percentile(good.map((s) => s.wallMs), 50) });
  }
  return {
    historyEntries: BILLING_HISTORY_ENTRIES, rounds: opts.rounds, samplesPerRound, failed,
    serverP50Ms: spread(perRound.map((r) => r.p50)), serverP99Ms: spread(perRound.map((r) => r.p99)), wallP50Ms: spread(perRound.map((r) => r.wall)),
  };
}


/** Seeds a tenant's 10,000 history entries, then measures its billing page; prints a line as it goes. */
export async function measureBillingPage(scene: Scene, currency: string, fundsMajor: string): Promise<BillingPageResult> {
  const startMs = performance.now();
  const tenant = await createFundedTenant(scene.purseUrl, 'Billing page', currency, fundsMajor);
  await seedHistory(scene.purseUrl, tenant, scene.runTag);
  console.log(`  billing page: seeded ${BILLING_HISTORY_ENTRIES} history entries in ${((performance.now() - startMs) / 1000).toFixed(1)} s`);
  const result = await billingPageRender(scene.purseUrl, tenant, { rounds: scene.options.rounds, quick: scene.options.quick });
  console.log(`  billing page render (server time): p50 ${spreadText(result.serverP50Ms, 2)} ms, p99 ${spreadText(result.serverP99Ms, 2)} ms; ` +
    `client waited p50 ${spreadText(result.wallP50Ms, 2)} ms; failed ${result.failed}`);
  return result;
}

export function billingPageRow(kind: 'sqlite' | 'postgres', r: BillingPageResult): Row {
  return {
    database: kind, scenario: `billing page render, ${r.historyEntries.toLocaleString('en-US')} history entries (first page)`, connections: 1,
    throughput: 1000 / r.wallP50Ms.median, unit: 'req/s', p50Ms: r.serverP50Ms.median, p99Ms: r.serverP99Ms.median, failed: r.failed,
    note: `server render time (Server-Timing), median of ${r.rounds} rounds × ${r.samplesPerRound}; round p50 ${spreadText(r.serverP50Ms, 2)} ms`,
  };
}
