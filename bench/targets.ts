import type { Row, Target } from './report.ts';

/** What run.ts reports per database; only the parts the targets read. */
interface ReportForTargets {
  rows: Row[];
  checkout: { addedP50Ms: number } | undefined;
  webhook: { events: number; credited: number } | undefined;
  billingPage?: { historyEntries: number; serverP50Ms: { median: number; max: number }; serverP99Ms: { median: number }; failed: number } | undefined;
}

type Database = 'sqlite' | 'postgres';

/** The goals of the performance issue, one line each: which row, which figure, which bound. */
interface Goal {
  database: Database;
  scenario: string;
  what: string;
  goal: string;
  measured(row: Row): number;
  format(value: number): string;
  met(value: number): boolean;
}

const ratio = (row: Row) => row.vsBare ?? 0;
const throughput = (row: Row) => row.throughput;
const percent = (v: number) => `${(v * 100).toFixed(0)}% of bare`;
const perSecond = (v: number) => `${v.toFixed(0)}/s`;

const GOALS: Goal[] = [
  { database: 'sqlite', scenario: 'usage debit, one hot wallet', what: 'durable usage debit vs bare route (median of rounds)', goal: '≥ 70% of bare', measured: ratio, format: percent, met: (v) => v >= 0.7 },
  { database: 'sqlite', scenario: 'usage debit, one hot wallet', what: 'durable usage debit p99 at 50 connections', goal: '≤ 5 ms', measured: (r) => r.p99Ms, format: (v) => `${v} ms`, met: (v) => v <= 5 },
  { database: 'sqlite', scenario: 'hold + capture', what: 'hold + capture vs bare route', goal: '≥ 35% of bare', measured: ratio, format: percent, met: (v) => v >= 0.35 },
  { database: 'postgres', scenario: 'usage debit, one hot wallet', what: 'durable usage debit, one hot wallet', goal: '≥ 5,000/s', measured: throughput, format: perSecond, met: (v) => v >= 5000 },
  { database: 'postgres', scenario: 'usage debit, 1000 wallets', what: 'durable usage debit, 1,000 wallets', goal: '≥ 5,000/s', measured: throughput, format: perSecond, met: (v) => v >= 5000 },
  { database: 'sqlite', scenario: 'signed webhook ingest', what: 'signed webhook ingest to credited wallet', goal: '≥ 5,000 events/s', measured: throughput, format: perSecond, met: (v) => v >= 5000 },
  { database: 'postgres', scenario: 'signed webhook ingest', what: 'signed webhook ingest to credited wallet', goal: '≥ 2,000 events/s', measured: throughput, format: perSecond, met: (v) => v >= 2000 },
  { database: 'sqlite', scenario: 'outbox delivery', what: 'outbox delivery to a local receiver (Standard Webhooks, one endpoint)', goal: '≥ 1,000 events/s', measured: throughput, format: perSecond, met: (v) => v >= 1000 },
  { database: 'postgres', scenario: 'outbox delivery', what: 'outbox delivery to a local receiver (Standard Webhooks, one endpoint)', goal: '≥ 500 events/s', measured: throughput, format: perSecond, met: (v) => v >= 500 },
];

/** Armed checks a debit does not cross may cost at most this much (auto top-up, low-balance endpoint). */
const ARMED_SLOWDOWN_MAX = 0.05;
const ARMED: string[] = ['usage debit, one wallet, auto top-up armed', 'usage debit, one wallet, low-balance endpoint'];
const ARMED_BASELINE = 'usage debit, one wallet, nothing armed';

/** The billing page's server render time, first page, for a tenant with 10,000 history entries (issue 11). */
const BILLING_PAGE_RENDER_MS_MAX = 20;

/** A read at 1 M+ postings may cost at most this much more than the same read on the small store. */
const FLAT_READ_SLOWDOWN_MAX = 0.2;
const FLAT_READS: Array<[small: string, large: string]> = [
  ['balance read', 'balance read (large store'],
  ['transactions page (limit 50)', 'transactions page (large store'],
  ['transactions page (limit 50)', 'transactions page mid-history (large store'],
];

export function judgeTargets(reports: Partial<Record<Database, ReportForTargets>>): Target[] {
  const find = (db: Database, prefix: string) => reports[db]?.rows.find((r) => r.scenario.startsWith(prefix));
  const targets: Target[] = [];
  for (const g of GOALS) {
    const row = find(g.database, g.scenario);
    if (!row) continue;
    const value = g.measured(row);
    targets.push({ database: g.database, what: g.what, goal: g.goal, measured: g.format(value), met: g.met(value) });
  }
  for (const [db, report] of Object.entries(reports) as Array<[Database, ReportForTargets]>) {
    if (report.checkout) {
      const added = report.checkout.addedP50Ms;
      targets.push({ database: db, what: 'checkout creation: Purse over the sandbox call, p50', goal: '≤ 1 ms', measured: `${added.toFixed(2)} ms`, met: added <= 1 });
    }
    if (report.webhook) {
      const { events, credited } = report.webhook;
      targets.push({ database: db, what: 'every ingested webhook credited its order', goal: 'all', measured: `${credited}/${events}`, met: credited === events });
    }
    const page = report.billingPage;
    if (page) {
      // Judged on the worst round's median, so one quiet round cannot carry a slow page.
      targets.push({
        database: db, what: `billing page render ≤ ${BILLING_PAGE_RENDER_MS_MAX} ms (server time, first page, ${page.historyEntries.toLocaleString('en-US')} history entries)`,
        goal: `p50 ≤ ${BILLING_PAGE_RENDER_MS_MAX} ms in every round`,
        measured: `p50 ${page.serverP50Ms.median.toFixed(2)} ms (worst round ${page.serverP50Ms.max.toFixed(2)} ms), p99 ${page.serverP99Ms.median.toFixed(2)} ms, ${page.failed} failed`,
        met: page.serverP50Ms.max <= BILLING_PAGE_RENDER_MS_MAX && page.failed === 0,
      });
    }
    for (const armed of ARMED) {
      const [a, b] = [find(db, ARMED_BASELINE), find(db, armed)];
      if (!a || !b) continue;
      const slowdown = 1 - ratio(b) / ratio(a);
      targets.push({ database: db, what: `${b.scenario} vs nothing armed`, goal: `within ${ARMED_SLOWDOWN_MAX * 100}%`, measured: `${(slowdown * 100).toFixed(1)}% slower`, met: slowdown <= ARMED_SLOWDOWN_MAX });
    }
    for (const [small, large] of FLAT_READS) {
      const [a, b] = [find(db, small), find(db, large)];
      if (!a || !b) continue;
      // Compared as ×bare, so a busier moment for one of the two measurements does not read as a slowdown.
      const slowdown = 1 - ratio(b) / ratio(a);
      targets.push({ database: db, what: `${b.scenario} vs small store`, goal: `within ${FLAT_READ_SLOWDOWN_MAX * 100}%`, measured: `${(slowdown * 100).toFixed(0)}% slower`, met: slowdown <= FLAT_READ_SLOWDOWN_MAX });
    }
  }
  targets.push(...scaleOut(reports.postgres));
  return targets;
}

/** Issue 13: two instances on one PostgreSQL should do more 1,000-wallet debits than one (same run, ×bare). */
function scaleOut(report: ReportForTargets | undefined): Target[] {
  const one = report?.rows.find((r) => /^usage debit, \d+ wallets$/.test(r.scenario));
  const two = report?.rows.find((r) => r.scenario === `${one?.scenario ?? ''}, two instances`);
  if (!one || !two) return [];
  const gain = ratio(two) / ratio(one);
  return [{ database: 'postgres', what: `${two.scenario} vs one instance`, goal: 'more than one instance', measured: `×${gain.toFixed(2)}`, met: gain > 1 }];
}
