import { type Html, html } from './html.ts';
import type { Catalog } from '../i18n/en.ts';
import { formatMoney } from '../i18n/locale.ts';
import type { UsageInsight } from './insight-view.ts';

/** The chart's drawing box (SVG user units); it scales to the page's width. */
const CHART_WIDTH = 600;
const CHART_HEIGHT = 140;
const BAR_GAP = 2;

export interface InsightModel {
  t: Catalog;
  locale: string;
  currency: string;
  insight: UsageInsight;
}

/**
 * Spending (issue 24): this month, the last 30 days, days left, and a server-drawn bar chart of the last
 * 30 days (no script) whose numbers are also in a table for screen readers and keyboard users.
 */
export function insightSection(m: InsightModel): Html {
  const { t, insight } = m;
  const money = (minor: bigint) => formatMoney(minor, m.currency, m.locale);
  return html`<section aria-labelledby="usage-h"><h2 id="usage-h">${t.usageHeading}</h2>
<dl class="figures">
<div><dt>${t.monthToDate}</dt><dd id="month-to-date">${money(insight.monthToDateMinor)}</dd></div>
<div><dt>${t.last30Days}</dt><dd id="last-30">${money(insight.last30Minor)}</dd></div>
<div><dt>${t.daysLeft}</dt><dd id="days-left">${insight.daysLeft === null ? t.daysLeftNever : t.daysLeftValue(insight.daysLeft)}</dd></div>
</dl><p class="hint">${insight.autoTopupOn ? t.daysLeftAutoTopup : t.daysLeftHint}</p>
${insight.days.length ? chart(m, money) : ''}</section>`;
}

function chart(m: InsightModel, money: (minor: bigint) => string): Html {
  const { t, insight } = m;
  const { days } = insight;
  const first = days[0]?.key ?? '';
  const last = days.at(-1)?.key ?? '';
  const label = t.chartLabel(dayLabel(first, m.locale), dayLabel(last, m.locale), money(insight.last30Minor));
  return html`<figure class="chart"><svg id="usage-chart" role="img" aria-label="${label}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" preserveAspectRatio="none" width="100%" height="${CHART_HEIGHT}">
<line x1="0" y1="${CHART_HEIGHT - 0.5}" x2="${CHART_WIDTH}" y2="${CHART_HEIGHT - 0.5}" stroke="#6b7480"/>${bars(days)}</svg>
<details><summary>${t.chartTable}</summary><table id="usage-table"><thead><tr><th scope="col">${t.day}</th><th scope="col" class="num">${t.spent}</th><th scope="col" class="num">${t.debits}</th></tr></thead>
<tbody>${days.map((d) => html`<tr><th scope="row" data-label="${t.day}">${dayLabel(d.key, m.locale)}</th><td class="num" data-label="${t.spent}">${money(d.amountMinor)}</td><td class="num" data-label="${t.debits}">${d.count}</td></tr>`)}</tbody></table></details></figure>`;
}

/** Heights in proportion to the largest day, computed on bigint so no amount is ever a float before scaling. */
function bars(days: UsageInsight['days']): Html[] {
  const largest = days.reduce((max, d) => (d.amountMinor > max ? d.amountMinor : max), 0n);
  const step = CHART_WIDTH / days.length;
  return days.map((d, i) => {
    const height = largest === 0n ? 0 : Number((d.amountMinor * BigInt(CHART_HEIGHT - 1)) / largest);
    const x = (i * step).toFixed(1);
    return html`<rect x="${x}" y="${CHART_HEIGHT - 1 - height}" width="${(step - BAR_GAP).toFixed(1)}" height="${height}" fill="#1d4ed8"/>`;
  });
}

// One formatter per locale; any locale Intl knows can be asked for, so the cache is cleared when full.
const DAY_FORMATS_MAX = 500;
const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** A UTC day key (YYYY-MM-DD) in the page's language: "Nov 6, 2026", "6 de nov. de 2026". */
function dayLabel(key: string, lang: string): string {
  let format = DAY_FORMATS.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
    if (DAY_FORMATS.size >= DAY_FORMATS_MAX) DAY_FORMATS.clear();
    DAY_FORMATS.set(lang, format);
  }
  const ms = Date.parse(`${key}T00:00:00Z`);
  return Number.isFinite(ms) ? format.format(ms) : key;
}
