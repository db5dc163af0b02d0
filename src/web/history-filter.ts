import { TRANSACTION_KINDS } from '../ledger/transaction-input.ts';
import { HOLD_STATES, type HoldState } from '../wallet/hold-states.ts';
import type { Catalog } from '../i18n/en.ts';

/**
 * Issue 24: the billing page's filters, read from its query string. History by kind, number and a date range
 * (days in the browser's time zone), holds by state. Every value is checked against a closed list or a
 * bound; anything else becomes a message the page shows (never a 5xx, never a silent "no results").
 */
/** The longest date range one filter may span: a year and a day, so "2025-01-01 to 2026-01-01" fits. */
export const HISTORY_RANGE_DAYS_MAX = 366;
/** Dates before this year are typing mistakes (Purse did not exist), not history. */
const HISTORY_YEAR_MIN = 2000;
/** How far past today a date may be (a browser a day ahead of the server is fine; 2126 is a typo). */
const HISTORY_FUTURE_DAYS_MAX = 2;
const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMBER_ID_PATTERN = /^num_[0-9A-Z]{26}$/;

/** The query parameters the filters use; links and forms carry exactly these. */
export const FILTER_PARAMS = ['kind', 'number', 'from', 'to', 'holds'] as const;
type FilterParam = (typeof FILTER_PARAMS)[number];

export interface HistoryFilter {
  kind: string | null;
  numberId: string | null;
  /** The typed days (YYYY-MM-DD), kept for the form and the links. */
  from: string | null;
  to: string | null;
  /** The same days as instants: the start of `from` and the last millisecond of `to`, in the time zone. */
  fromMs: number | null;
  toMs: number | null;
}

export interface PageFilters {
  history: HistoryFilter;
  holdState: HoldState;
  /** What was wrong with the history filter, in the customer's language, one line per field; empty when fine. */
  problems: string[];
  /** A hold state that is none of HOLD_STATES (the holds list then shows the open ones). */
  holdProblem: string | null;
  /** The raw values as typed (for the form to show them again when refused). */
  raw: Partial<Record<FilterParam, string>>;
}

export const NO_FILTER: HistoryFilter = { kind: null, numberId: null, from: null, to: null, fromMs: null, toMs: null };

export function isFiltered(f: HistoryFilter): boolean {
  return f.kind !== null || f.numberId !== null || f.fromMs !== null || f.toMs !== null;
}

/** Reads the filters; `numberKnown` says whether a number id is one of the tenant's. */
export function parseFilters(query: Record<string, string | undefined>, t: Catalog, timeZone: string, nowMs: number, numberKnown: (id: string) => boolean): PageFilters {
  const raw: PageFilters['raw'] = {};
  for (const name of FILTER_PARAMS) {
    const value = query[name]?.trim();
    if (value) raw[name] = value;
  }
  const problems: string[] = [];
  const kind = raw.kind ?? null;
  if (kind !== null && !(TRANSACTION_KINDS as readonly string[]).includes(kind)) problems.push(t.filterKindUnknown(kind));
  const numberId = raw.number ?? null;
  if (numberId !== null && (!NUMBER_ID_PATTERN.test(numberId) || !numberKnown(numberId))) problems.push(t.filterNumberUnknown);
  const fromMs = dayStart(raw.from, 'from', t, timeZone, nowMs, problems);
  const toStart = dayStart(raw.to, 'to', t, timeZone, nowMs, problems);
  const toMs = toStart === null ? null : dayStartMs(nextDay(raw.to!), timeZone) - 1;
  if (fromMs !== null && toStart !== null) {
    if (fromMs > toStart) problems.push(t.filterRangeReversed);
    else if (toMs! - fromMs > HISTORY_RANGE_DAYS_MAX * DAY_MS) problems.push(t.filterRangeTooLong(HISTORY_RANGE_DAYS_MAX));
  }
  const holdState = (raw.holds ?? 'held') as HoldState;
  const holdKnown = HOLD_STATES.includes(holdState);
  const history = { kind, numberId, from: raw.from ?? null, to: raw.to ?? null, fromMs, toMs };
  return {
    history: problems.length ? NO_FILTER : history, holdState: holdKnown ? holdState : 'held', problems, raw,
    holdProblem: holdKnown ? null : t.filterHoldStateUnknown,
  };
}

function dayStart(text: string | undefined, field: 'from' | 'to', t: Catalog, timeZone: string, nowMs: number, problems: string[]): number | null {
  if (text === undefined) return null;
  const m = DATE_PATTERN.exec(text);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  const utc = Date.UTC(y, mo - 1, d);
  const real = Number.isFinite(utc) && new Date(utc).toISOString().slice(0, 10) === text;
  if (!real) {
    problems.push(t.filterDateInvalid(field === 'from' ? t.filterFrom : t.filterTo, text));
    return null;
  }
  if (y < HISTORY_YEAR_MIN || utc > nowMs + HISTORY_FUTURE_DAYS_MAX * DAY_MS) {
    problems.push(t.filterDateOutOfRange(field === 'from' ? t.filterFrom : t.filterTo, String(HISTORY_YEAR_MIN)));
    return null;
  }
  return dayStartMs(text, timeZone);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** Midnight at the start of a calendar day (YYYY-MM-DD) in an IANA time zone, as epoch milliseconds. */
export function dayStartMs(day: string, timeZone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset near that wall time, then once more at the instant found (a DST change that day).
  let ms = wall - offsetMs(wall, timeZone);
  const again = wall - offsetMs(ms, timeZone);
  if (again !== ms) ms = again;
  return ms;
}

const OFFSET_FORMATS = new Map<string, Intl.DateTimeFormat>();
const OFFSET_FORMATS_MAX = 100;

/** How far the zone's wall clock is ahead of UTC at an instant. */
function offsetMs(ms: number, timeZone: string): number {
  let format = OFFSET_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    if (OFFSET_FORMATS.size >= OFFSET_FORMATS_MAX) OFFSET_FORMATS.clear();
    OFFSET_FORMATS.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The query string that keeps the current filters (and `extra`), for pager links, the CSV link and forms. */
export function filterQuery(raw: PageFilters['raw'], extra: Record<string, string> = {}, omit: readonly FilterParam[] = []): string {
  const params = new URLSearchParams();
  for (const name of FILTER_PARAMS) {
    const value = raw[name];
    if (value !== undefined && !omit.includes(name)) params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
