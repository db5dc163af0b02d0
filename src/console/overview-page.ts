import { type Html, html } from '../web/html.ts';
import { formatMoney } from '../i18n/locale.ts';
import type { ConsoleViewer } from './console-http.ts';
import { dataTable } from './console-shell.ts';

/** The overview: money owed, 30 days of top-ups / spend / auto top-ups (chart + table), what needs attention. */
export const DAY_MS = 86_400_000;
export const CHART_DAYS = 30;
const CHART_WIDTH = 300;
const CHART_HEIGHT = 80;
export const SERIES: Record<'topups' | 'spend' | 'autoTopups', readonly string[]> = { topups: ['topup'], spend: ['usage', 'hold_capture'], autoTopups: ['auto_topup'] };

export type Daily = Map<string, Map<number, bigint>>; // series|currency → day → minor


/** A bar chart as inline SVG (no script, CSP-safe) with the same numbers in a table for screen readers and keyboards. */
export function chart(viewer: ConsoleViewer, key: string, byDay: Map<number, bigint>, sinceMs: number): Html {
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
