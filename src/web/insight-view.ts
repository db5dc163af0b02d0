import type { Ctx } from '../context.ts';
import { spentBetween, summarizeUsageMinor } from '../wallet/usage-summary.ts';

const DAY_MS = 86_400_000;
export const CHART_DAYS = 30;

/** The billing page's spending section (issue 24): the last CHART_DAYS UTC days, this month so far, the runway. */
export interface UsageInsight {
  days: Array<{ key: string; amountMinor: bigint; count: number }>;
  last30Minor: bigint;
  monthToDateMinor: bigint;
  /** Whole days until the available balance runs out at the last 30 days' pace; null when not projected. */
  daysLeft: number | null;
  autoTopupOn: boolean;
}

/** Two reads of the hourly rollup (ledger/usage-rollup.ts): a few hundred rows whatever the history's length. */
export async function readUsageInsight(ctx: Ctx, tenantId: string): Promise<UsageInsight> {
  const nowMs = ctx.nowMs();
  const now = new Date(nowMs);
  const monthStartMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  // Whole days: today and the CHART_DAYS − 1 before it (a rolling 720 hours would cut the first day short).
  const fromMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (CHART_DAYS - 1) * DAY_MS;
  const [summary, monthToDateMinor] = await Promise.all([
    summarizeUsageMinor(ctx, { tenantId, numberId: null }, { from: new Date(fromMs).toISOString() }),
    spentBetween(ctx, tenantId, monthStartMs, nowMs + 1),
  ]);
  const days = summary.data.map((d) => ({ key: d.key ?? '', amountMinor: d.amountMinor, count: d.count }));
  const runsOutMs = summary.runsOutAt === null ? null : Date.parse(summary.runsOutAt);
  return {
    days,
    last30Minor: summary.totalMinor,
    monthToDateMinor,
    daysLeft: runsOutMs === null ? null : Math.max(0, Math.floor((runsOutMs - nowMs) / DAY_MS)),
    autoTopupOn: summary.runsOutAt === null && summary.totalMinor > 0n,
  };
}
