import type { LedgerTransaction } from '../ledger/post-transaction.ts';
import type { Catalog } from '../i18n/en.ts';
import { TRANSACTION_KINDS } from '../ledger/transaction-input.ts';
import { formatDate, formatMoney } from '../i18n/locale.ts';
import { HOLD_STATES } from '../wallet/hold-states.ts';
import type { BillingData } from './billing-view.ts';
import { describeTransaction } from './describe-transaction.ts';
import { HISTORY_CSV_ROWS_MAX } from './history-csv.ts';
import { type PageFilters, filterQuery } from './history-filter.ts';
import { HISTORY_SCAN_ROWS_MAX } from './history-view.ts';
import { type Html, html } from './html.ts';

/** Issue 24: the history with its filters (kind, number, dates), the filtered CSV, and the holds with their state filter. */
export interface HistoryModel {
  t: Catalog;
  locale: string;
  timeZone: string;
  data: BillingData;
  filters: PageFilters;
}

function money(m: HistoryModel, minor: bigint): string {
  return formatMoney(minor, m.data.currency, m.locale);
}

function date(m: HistoryModel, ms: number): string {
  return formatDate(ms, m.locale, m.timeZone);
}

/** Hidden inputs that carry the other form's filters, so one form never drops what the other set. */
function keep(m: HistoryModel, names: ReadonlyArray<keyof PageFilters['raw']>): Html[] {
  return names.flatMap((name) => {
    const value = m.filters.raw[name];
    return value === undefined ? [] : [html`<input type="hidden" name="${name}" value="${value}">`];
  });
}

function option(value: string, label: string, selected: boolean): Html {
  return html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
}

function filterForm(m: HistoryModel): Html {
  const { t, data, filters } = m;
  const raw = filters.raw;
  const kinds = TRANSACTION_KINDS.map((kind) => option(kind, t.kinds[kind] ?? kind, raw.kind === kind));
  const numbers = data.numbers.map((n) => option(n.id, n.name, raw.number === n.id));
  const chosen = filters.history.numberId;
  if (chosen !== null && !data.numbers.some((n) => n.id === chosen)) numbers.push(option(chosen, chosen, true));
  const invalid = (field: string) => (filters.problems.some((p) => p.startsWith(field)) ? html` aria-invalid="true" aria-describedby="filter-problems"` : '');
  return html`<form method="get" action="/billing#history-h" class="filters" aria-label="${t.filterLegend}">${keep(m, ['holds'])}
<div><label for="f-kind">${t.colKind}</label><select id="f-kind" name="kind">${option('', t.filterKindAll, !raw.kind)}${kinds}</select></div>
${numbers.length ? html`<div><label for="f-number">${t.colNumber}</label><select id="f-number" name="number">${option('', t.filterNumberAll, !raw.number)}${numbers}</select></div>` : ''}
<div><label for="f-from">${t.filterFrom}</label><input type="date" id="f-from" name="from" value="${raw.from ?? ''}"${invalid(t.filterFrom)}></div>
<div><label for="f-to">${t.filterTo}</label><input type="date" id="f-to" name="to" value="${raw.to ?? ''}"${invalid(t.filterTo)}></div>
<div class="filter-actions"><button type="submit">${t.filterApply}</button>${anyHistoryFilter(m) ? html`<a href="/billing${filterQuery(raw, {}, ['kind', 'number', 'from', 'to'])}#history-h">${t.filterClear}</a>` : ''}</div>
</form>`;
}

function anyHistoryFilter(m: HistoryModel): boolean {
  const raw = m.filters.raw;
  return raw.kind !== undefined || raw.number !== undefined || raw.from !== undefined || raw.to !== undefined;
}

export function historySection(m: HistoryModel): Html {
  const { t, data, filters } = m;
  const raw = filters.raw;
  const problems = filters.problems.length
    ? html`<div class="banner error" role="alert" id="filter-problems"><h3>${t.filterProblemTitle}</h3><ul>${filters.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
    : '';
  const rows = data.history.map((tx) => historyRow(m, tx));
  const older = data.nextCursor ? html`<a href="/billing${filterQuery(raw, { cursor: data.nextCursor })}#history-h" rel="next">${data.scanStopped ? t.searchOlder : t.older}</a>` : '';
  const pager = data.isFirstPage && !data.nextCursor ? '' : html`<nav class="pager" aria-label="${t.historyHeading}">${data.isFirstPage ? '' : html`<a href="/billing${filterQuery(raw)}#history-h">${t.newer}</a>`}${older}</nav>`;
  const stopped = data.scanStopped ? html`<p class="hint" id="scan-stopped">${t.filterScanStopped(HISTORY_SCAN_ROWS_MAX.toLocaleString(m.locale))}</p>` : '';
  const table = html`<table id="history"><thead><tr><th scope="col">${t.colDate}</th><th scope="col">${t.colKind}</th><th scope="col">${t.colDescription}</th>
<th scope="col" class="num">${t.colAmount}</th><th scope="col" class="num">${t.colBalanceAfter}</th></tr></thead><tbody>${rows}</tbody></table>`;
  const empty = html`<p id="history-empty">${anyHistoryFilter(m) ? t.filterNoMatches : t.noHistory}</p>`;
  const csv = html`<p><a href="/billing/history.csv${filterQuery(raw, {}, ['holds'])}" download id="history-csv">${anyHistoryFilter(m) ? t.filteredExportCsv : t.historyExportCsv}</a>
<span class="hint"> ${t.historyCsvHint(HISTORY_CSV_ROWS_MAX.toLocaleString(m.locale))}</span></p>`;
  return html`<section aria-labelledby="history-h"><h2 id="history-h">${t.historyHeading}</h2>
${filterForm(m)}${problems}
${filters.problems.length ? '' : html`${rows.length ? table : empty}${stopped}${pager}${rows.length ? csv : ''}`}</section>`;
}

function historyRow(m: HistoryModel, tx: LedgerTransaction): Html {
  const { t } = m;
  const after = tx.walletBalanceAfterMinor === null ? '—' : money(m, tx.walletBalanceAfterMinor);
  return html`<tr><td data-label="${t.colDate}">${date(m, tx.createdAtMs)}</td><td data-label="${t.colKind}">${t.kinds[tx.kind] ?? tx.kind}</td>
<td data-label="${t.colDescription}">${describeTransaction(t, tx)}</td><td class="num" data-label="${t.colAmount}">${money(m, tx.walletAmountMinor)}</td><td class="num" data-label="${t.colBalanceAfter}">${after}</td></tr>`;
}

/** What is (or was) reserved, for what, on which number, until when; filtered by state, open ones by default. */
export function holdsSection(m: HistoryModel): Html | string {
  const { t, data, filters } = m;
  if (!data.hasHolds) return '';
  const state = filters.holdState;
  const open = state === 'held';
  const rows = data.holds.map((h) => html`<tr data-hold="${h.id}"><td data-label="${t.colDescription}">${h.description ?? t.holdNoDescription}</td>
<td data-label="${t.colNumber}">${h.numberName ?? t.holdNoNumber}</td><td class="num" data-label="${t.colAmount}">${money(m, h.amountMinor)}</td>
<td data-label="${t.holdSince}">${date(m, h.createdAtMs)}</td><td data-label="${open ? t.holdUntil : t.holdEnded}">${date(m, open ? h.expiresAtMs : h.closedAtMs ?? h.expiresAtMs)}</td></tr>`);
  const form = html`<form method="get" action="/billing#holds-h" class="filters">${keep(m, ['kind', 'number', 'from', 'to'])}
<div><label for="f-holds">${t.holdsStateLabel}</label><select id="f-holds" name="holds"${filters.holdProblem ? html` aria-invalid="true" aria-describedby="holds-problem"` : ''}>${HOLD_STATES.map((s) => option(s, t.holdStates[s] ?? s, s === state))}</select></div>
<div class="filter-actions"><button type="submit">${t.holdsShow}</button></div></form>`;
  const table = html`<table id="holds" aria-labelledby="holds-h"><thead><tr><th scope="col">${t.colDescription}</th><th scope="col">${t.colNumber}</th><th scope="col" class="num">${t.colAmount}</th>
<th scope="col">${t.holdSince}</th><th scope="col">${open ? t.holdUntil : t.holdEnded}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return html`<h3 id="holds-h">${open ? t.holdsHeading : t.holdsInState(t.holdStates[state] ?? state)}</h3>${form}
${filters.holdProblem ? html`<p class="field-error" role="alert" id="holds-problem">${filters.holdProblem}</p>` : ''}
${rows.length ? table : html`<p id="holds-empty">${t.holdsNone}</p>`}`;
}
