import { html } from '../web/html.ts';
import { formatMoney } from '../i18n/locale.ts';
import { requireOperator, sendPage } from './console-http.ts';
import { consoleLayout, dataTable } from './console-shell.ts';
import { foldLedgerTotals, ROLLUP_REQUEST_ROWS } from './rollup.ts';
import { chart, CHART_DAYS, type Daily, DAY_MS, SERIES } from './overview-page.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerOverviewPage: ConsolePageRegistrar = (app, ctx, options) => {
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
};
