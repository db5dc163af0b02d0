import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import { type Html, html } from '../web/html.ts';
import { formatMoney } from '../i18n/locale.ts';
import { type ConsoleViewer, requireOperator, sendPage } from './console-http.ts';
import { consoleLayout, dataTable } from './console-shell.ts';
import { ROLLUP_REQUEST_ROWS, foldLedgerTotals } from './rollup.ts';

/** The overview: money owed, 30 days of top-ups / spend / auto top-ups (chart + table), what needs attention. */
const DAY_MS = 86_400_000;
const CHART_DAYS = 30;
const CHART_WIDTH = 300;
const CHART_HEIGHT = 80;
const SERIES: Record<'topups' | 'spend' | 'autoTopups', readonly string[]> = { topups: ['topup'], spend: ['usage', 'hold_capture'], autoTopups: ['auto_topup'] };

type Daily = Map<string, Map<number, bigint>>; // series|currency → day → minor

export function registerOverviewPage(app: App, ctx: Ctx, options: object): void {
  app.get('/admin', options, async (request, reply) => {
    const viewer = await requireOperator(ctx, request, reply);
    if (!viewer) return reply;
    // The job keeps the totals caught up; the request folds only the tail since its last run.
    await foldLedgerTotals(ctx, ROLLUP_REQUEST_ROWS);
    const sinceMs = Math.floor(ctx.nowMs() / DAY_MS) * DAY_MS - (CHART_DAYS - 1) * DAY_MS;
    const db = ctx.store.db;
    const [owed, totals, paused, backlog, failing, inbox] = await Promise.all([
      db.selectFrom('wallets').select(['currency', (eb) => eb.fn.sum<string>('balance_minor').as('owed')]).groupBy('currency').orderBy('currency').execute(),
      db.selectFrom('console_hourly_totals').selectAll().where('hour_ms', '>=', BigInt(sinceMs)).execute(),
      db.selectFrom('auto_topup_configs').select((eb) => eb.fn.countAll<string>().as('n')).where('state', 'in', ['paused', 'disabled']).executeTakeFirstOrThrow(),
      db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow(),
      db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<string>().as('n')).where('failing_since_ms', 'is not', null).executeTakeFirstOrThrow(),
      db.selectFrom('stripe_events').select((eb) => eb.fn.countAll<string>().as('n')).where('failed_at_ms', 'is not', null).executeTakeFirstOrThrow(),
    ]);
    const daily: Daily = new Map();
    for (const row of totals) {
      for (const [series, kinds] of Object.entries(SERIES)) {
        if (!kinds.includes(row.kind)) continue;
        const key = `${series}|${row.currency}`;
        const day = Math.floor(Number(row.hour_ms) / DAY_MS) * DAY_MS;
        const byDay = daily.get(key) ?? new Map<number, bigint>();
        const amount = BigInt(row.amount_minor);
        byDay.set(day, (byDay.get(day) ?? 0n) + (amount < 0n ? -amount : amount));
        daily.set(key, byDay);
      }
    }
    const t = viewer.t;
    const owedRows = owed.map((r) => [r.currency, formatMoney(BigInt(r.owed ?? 0), r.currency, viewer.lang)]);
    const charts = [...daily.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, byDay]) => chart(viewer, key, byDay, sinceMs));
    const body = html`<section><h2>${t.owed}</h2>${dataTable(t.owed, [t.currency, t.amount], owedRows, t.noRows)}</section>
<section><h2>${t.topups} · ${t.spend} · ${t.autoTopups}</h2><p class="hint">${t.perDay}</p>${charts.length ? charts : html`<p>${t.noRows}</p>`}</section>
<section><dl class="figures"><div><dt>${t.paused}</dt><dd>${Number(paused.n)}</dd></div><div><dt>${t.backlog}</dt><dd>${Number(backlog.n)}</dd></div>
<div><dt>${t.failingEndpoints}</dt><dd>${Number(failing.n)}</dd></div><div><dt>${t.inboxErrors}</dt><dd><a href="/admin/inbox">${Number(inbox.n)}</a></dd></div></dl></section>`;
    return sendPage(reply, viewer, consoleLayout(viewer, t.overview, body, viewer));
  });
}

/** A bar chart as inline SVG (no script, CSP-safe) with the same numbers in a table for screen readers and keyboards. */
function chart(viewer: ConsoleViewer, key: string, byDay: Map<number, bigint>, sinceMs: number): Html {
  const [series, currency] = key.split('|') as ['topups' | 'spend' | 'autoTopups', string];
  const days = Array.from({ length: CHART_DAYS }, (_, i) => sinceMs + i * DAY_MS);
  const max = days.reduce((m, d) => ((byDay.get(d) ?? 0n) > m ? (byDay.get(d) ?? 0n) : m), 1n);
  const barWidth = CHART_WIDTH / CHART_DAYS;
  const bars = days.map((d, i) => {
    const h = Number(((byDay.get(d) ?? 0n) * BigInt(CHART_HEIGHT)) / max);
    return html`<rect x="${(i * barWidth).toFixed(1)}" y="${CHART_HEIGHT - h}" width="${(barWidth - 1).toFixed(1)}" height="${h}" fill="#1d4ed8"></rect>`;
  });
  const title = `${viewer.t[series]} (${currency})`;
  const rows = days.filter((d) => byDay.has(d)).map((d) => [new Date(d).toISOString().slice(0, 10), formatMoney(byDay.get(d) ?? 0n, currency, viewer.lang)]);
  return html`<h3>${title}</h3><svg viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" width="100%" height="${CHART_HEIGHT}" role="img" aria-label="${title}, ${viewer.t.perDay}">${bars}</svg>
<details><summary>${title}: ${viewer.t.day}</summary>${dataTable(title, [viewer.t.day, viewer.t.amount], rows, viewer.t.noRows)}</details>`;
}
