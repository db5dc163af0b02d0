import { sql } from 'kysely';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import { fieldError } from '../errors/purse-error.ts';
import { ROLLUP_BUCKET_MS } from '../ledger/usage-rollup.ts';
import { toMajorNumber } from '../money/money.ts';
import { autoTopupSummary } from '../auto-topup/views.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { readWalletMinor } from './read-wallet.ts';

export const USAGE_GROUPS = ['day', 'number', 'description'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

const DAY_MS = 86_400_000;
export const SUMMARY_RANGE_DEFAULT_DAYS = 30;
export const SUMMARY_RANGE_MAX_DAYS = 366;
/** runsOutAt projects the available balance at this many last days' average spend (SPEC §9.4). */
export const RUNWAY_WINDOW_DAYS = 30;

/** Whose spending: a tenant, or one of its numbers. */
export type UsageReader = Pick<Principal, 'tenantId' | 'numberId'>;

export interface UsageSummaryQuery {
  from?: string | undefined;
  to?: string | undefined;
  groupBy?: UsageGroup | undefined;
  timeZone?: string | undefined;
}

export interface UsageSummaryMinor {
  currency: string;
  from: string;
  to: string;
  timeZone: string;
  totalMinor: bigint;
  count: number;
  data: Array<{ key: string | null; amountMinor: bigint; count: number }>;
  averageDailyMinor: bigint;
  runsOutAt: string | null;
}

export interface UsageSummaryView {
  currency: string;
  from: string;
  to: string;
  timeZone: string;
  total: number;
  count: number;
  data: Array<{ key: string | null; amount: number; count: number }>;
  averageDaily: number;
  runsOutAt: string | null;
}

interface Bucket {
  key: string | bigint;
  amount_minor: bigint | number | string;
  count: bigint | number | string;
}

/**
 * `GET /v1/billing/usage/summary`: spending between `from` and `to` (whole UTC hours) grouped by day (in
 * `timeZone`), number or description, read from the hourly rollup (ledger/usage-rollup.ts), never from the
 * postings: the cost depends on hours × groups, not on how many debits there were. Number-scoped keys are
 * refused by the route (billing is account-level); should that change, `numberOnly` already narrows to one number.
 */
export async function summarizeUsage(ctx: Ctx, principal: Principal, query: UsageSummaryQuery): Promise<UsageSummaryView> {
  const minor = await summarizeUsageMinor(ctx, principal, query);
  const major = (amount: bigint) => toMajorNumber(amount, minor.currency);
  return {
    currency: minor.currency, from: minor.from, to: minor.to, timeZone: minor.timeZone,
    total: major(minor.totalMinor), count: minor.count,
    data: minor.data.map((d) => ({ key: d.key, amount: major(d.amountMinor), count: d.count })),
    averageDaily: major(minor.averageDailyMinor), runsOutAt: minor.runsOutAt,
  };
}

/** The same in minor units, for the billing page. */
export async function summarizeUsageMinor(ctx: Ctx, principal: UsageReader, query: UsageSummaryQuery): Promise<UsageSummaryMinor> {
  const nowMs = ctx.nowMs();
  const { fromMs, toMs } = parseRange(query, nowMs);
  const timeZone = parseTimeZone(query.timeZone);
  const groupBy = query.groupBy ?? 'day';
  const currency = await tenantCurrency(ctx, principal.tenantId);
  const buckets = await readBuckets(ctx, principal, fromMs, toMs, groupBy);
  const data = groupBy === 'day' ? byDay(buckets, fromMs, toMs, timeZone) : byKey(buckets);
  const totalMinor = data.reduce((sum, d) => sum + d.amountMinor, 0n);
  const days = BigInt(Math.max(1, Math.round((toMs - fromMs) / DAY_MS)));
  return {
    currency, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), timeZone,
    totalMinor, count: data.reduce((sum, d) => sum + d.count, 0), data,
    averageDailyMinor: totalMinor / days,
    runsOutAt: await runsOutAt(ctx, principal, nowMs, { fromMs, toMs, totalMinor }),
  };
}

function parseRange(query: UsageSummaryQuery, nowMs: number): { fromMs: number; toMs: number } {
  // Default: up to the end of the current hour, so a debit made just now counts.
  const toMs = query.to === undefined ? floorHour(nowMs) + ROLLUP_BUCKET_MS : ceilHour(parseInstant(query.to, 'to'));
  const fromMs = query.from === undefined ? toMs - SUMMARY_RANGE_DEFAULT_DAYS * DAY_MS : floorHour(parseInstant(query.from, 'from'));
  if (fromMs >= toMs) throw fieldError('VALIDATION_ERROR', 'from', 'must be before to');
  if (toMs - fromMs > SUMMARY_RANGE_MAX_DAYS * DAY_MS) throw fieldError('VALIDATION_ERROR', 'from', `the range is at most ${SUMMARY_RANGE_MAX_DAYS} days`);
  return { fromMs, toMs };
}

const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseInstant(value: string, field: string): number {
  const ms = INSTANT_PATTERN.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw fieldError('VALIDATION_ERROR', field, 'must be a date (YYYY-MM-DD, UTC) or an ISO 8601 time with its offset');
  return ms;
}

function floorHour(ms: number): number {
  return ms - (((ms % ROLLUP_BUCKET_MS) + ROLLUP_BUCKET_MS) % ROLLUP_BUCKET_MS);
}

function ceilHour(ms: number): number {
  const floor = floorHour(ms);
  return floor === ms ? ms : floor + ROLLUP_BUCKET_MS;
}

export function parseTimeZone(value: string | undefined): string {
  if (value === undefined) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw fieldError('VALIDATION_ERROR', 'timeZone', 'must be an IANA time zone such as Europe/Berlin');
  }
}

const GROUP_COLUMN = { day: 'hour_ms', number: 'number_id', description: 'description' } as const;

async function readBuckets(ctx: Ctx, principal: UsageReader, fromMs: number, toMs: number, groupBy: UsageGroup): Promise<Bucket[]> {
  const column = sql.ref(GROUP_COLUMN[groupBy]);
  const numberOnly = principal.numberId === null ? sql`` : sql`AND number_id = ${principal.numberId}`;
  const result = await sql<Bucket>`SELECT ${column} AS key, SUM(amount_minor) AS amount_minor, SUM(count) AS count FROM usage_hourly
    WHERE tenant_id = ${principal.tenantId} AND hour_ms >= ${BigInt(fromMs)} AND hour_ms < ${BigInt(toMs)} ${numberOnly}
    GROUP BY ${column}`.execute(ctx.store.reader());
  return result.rows;
}

/** Every day of the range in `timeZone`, oldest first, days without spending at zero (a chart needs them). */
function byDay(buckets: Bucket[], fromMs: number, toMs: number, timeZone: string): UsageSummaryMinor['data'] {
  const dayOf = dayKeyer(timeZone);
  const days = new Map<string, { key: string; amountMinor: bigint; count: number }>();
  for (let hourMs = fromMs; hourMs < toMs; hourMs += ROLLUP_BUCKET_MS) {
    const key = dayOf(hourMs);
    if (!days.has(key)) days.set(key, { key, amountMinor: 0n, count: 0 });
  }
  for (const bucket of buckets) {
    const day = days.get(dayOf(Number(bucket.key)));
    if (!day) continue;
    day.amountMinor += BigInt(bucket.amount_minor);
    day.count += Number(bucket.count);
  }
  return [...days.values()];
}

/** What the tenant spent in [fromMs, toMs) (whole hours), from the rollup. */
export async function spentBetween(ctx: Ctx, tenantId: string, fromMs: number, toMs: number): Promise<bigint> {
  const result = await sql<{ amount_minor: bigint | number | string | null }>`SELECT SUM(amount_minor) AS amount_minor FROM usage_hourly
    WHERE tenant_id = ${tenantId} AND hour_ms >= ${BigInt(fromMs)} AND hour_ms < ${BigInt(toMs)}`.execute(ctx.store.reader());
  return BigInt(result.rows[0]?.amount_minor ?? 0);
}

function dayKeyer(timeZone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms) => format.format(ms);
}

/** Largest first (equal: by key); '' (no number, no description) comes back as null. */
function byKey(buckets: Bucket[]): UsageSummaryMinor['data'] {
  return buckets
    .map((b) => ({ key: b.key === '' ? null : String(b.key), amountMinor: BigInt(b.amount_minor), count: Number(b.count) }))
    .sort((a, b) => (a.amountMinor === b.amountMinor ? (a.key ?? '').localeCompare(b.key ?? '') : a.amountMinor > b.amountMinor ? -1 : 1));
}

/**
 * When the available balance reaches zero at the last RUNWAY_WINDOW_DAYS days' average spend; null with
 * auto top-up on (it refills) or nothing spent; now when nothing is available.
 */
async function runsOutAt(ctx: Ctx, principal: UsageReader, nowMs: number, summed: { fromMs: number; toMs: number; totalMinor: bigint }): Promise<string | null> {
  const autoTopup = await autoTopupSummary(ctx, principal.tenantId);
  if (autoTopup?.state === 'active') return null;
  const windowMs = RUNWAY_WINDOW_DAYS * DAY_MS;
  const toMs = floorHour(nowMs) + ROLLUP_BUCKET_MS;
  const fromMs = toMs - windowMs;
  // The default range is the runway window itself (a tenant key sees every number): its total is already known.
  const same = summed.fromMs === fromMs && summed.toMs === toMs && principal.numberId === null;
  const spentMinor = same ? summed.totalMinor : await spentBetween(ctx, principal.tenantId, fromMs, toMs);
  if (spentMinor <= 0n) return null;
  const wallet = await readWalletMinor(ctx, principal.tenantId);
  const availableMinor = wallet.balanceMinor - wallet.heldMinor;
  if (availableMinor <= 0n) return new Date(nowMs).toISOString();
  const msLeft = (availableMinor * BigInt(windowMs)) / spentMinor;
  return new Date(nowMs + Number(msLeft)).toISOString();
}
