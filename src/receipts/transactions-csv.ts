import { Readable, pipeline } from 'node:stream';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import { minorDigits } from '../money/currencies.ts';
import { quoteLiteral } from '../store/export-stream.ts';
import { crlfRecords } from './crlf.ts';

/** The export's columns, in order (header row). */
export const CSV_COLUMNS = ['createdAt', 'id', 'kind', 'numberId', 'description', 'amount', 'balanceAfter', 'currency'] as const;
/** Rows formatted per pushed chunk on SQLite: large enough to amortise the push, small enough to keep memory flat. */
const SQLITE_ROWS_PER_CHUNK = 2_000;
const ID_PATTERN = /^[a-z]{2,4}_[0-9A-Z]{26}$/;
// Any kind the ledger has or will have (kinds are added by other features): a shape, not a closed list.
const KIND_PATTERN = /^[a-z][a-z_]{0,39}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/;
/** Spreadsheet formula starters: such a description is written with a leading apostrophe (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

export interface CsvQuery {
  from?: string | undefined;
  to?: string | undefined;
  kind?: string | undefined;
  numberId?: string | undefined;
}

interface Filter {
  tenantId: string;
  currency: string;
  fromMs: number | null;
  toMs: number | null;
  kind: string | null;
  numberId: string | null;
}

/**
 * GET /v1/billing/transactions.csv: the tenant's history, oldest first, as RFC 4180 CSV with a header row,
 * streamed in constant memory (store/export-stream.ts). A number key sees its own number only; asking for
 * another number's export is refused (403), never answered with someone else's rows.
 */
export async function exportTransactionsCsv(ctx: Ctx, principal: Principal, query: CsvQuery): Promise<Readable> {
  const filter = await parseFilter(ctx, principal, query);
  if (ctx.store.exporter.kind === 'sqlite') return sqliteStream(ctx, filter);
  const out = crlfRecords();
  // pipeline, not pipe: a client that goes away destroys the COPY too, which gives its connection back.
  pipeline(ctx.store.exporter.copyCsv(postgresQuery(filter)), out, (err) => {
    if (err && err.message !== 'Premature close') ctx.log.warn({ err: err.message }, 'transactions.csv export ended early');
  });
  return out;
}

async function parseFilter(ctx: Ctx, principal: Principal, q: CsvQuery): Promise<Filter> {
  if (principal.scope === 'number' && q.numberId !== undefined && q.numberId !== principal.numberId) throw new PurseError('NUMBER_SCOPE_NOT_ALLOWED');
  const numberId = principal.scope === 'number' ? principal.numberId : q.numberId ?? null;
  if (numberId !== null && !ID_PATTERN.test(numberId)) throw fieldError('VALIDATION_ERROR', 'numberId', 'is not a number id');
  if (q.kind !== undefined && !KIND_PATTERN.test(q.kind)) throw fieldError('VALIDATION_ERROR', 'kind', 'is not a transaction kind');
  const fromMs = parseDate('from', q.from);
  const toMs = parseDate('to', q.to);
  if (fromMs !== null && toMs !== null && fromMs > toMs) throw fieldError('VALIDATION_ERROR', 'to', 'must not be before from');
  const tenant = await ctx.store.db.selectFrom('tenants').select(['currency']).where('id', '=', principal.tenantId).executeTakeFirstOrThrow();
  return { tenantId: principal.tenantId, currency: tenant.currency, fromMs, toMs, kind: q.kind ?? null, numberId };
}

/** `YYYY-MM-DD` (that day, UTC; as `to`, through the end of it) or an ISO date-time in UTC. */
function parseDate(field: 'from' | 'to', raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const ms = DATE_PATTERN.test(raw) ? Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : NaN;
  if (!Number.isFinite(ms)) throw fieldError('VALIDATION_ERROR', field, 'must be YYYY-MM-DD or an ISO 8601 UTC date-time');
  const dayMs = 86_400_000;
  return field === 'to' && raw.length === 10 ? ms + dayMs - 1 : ms;
}

function postgresQuery(f: Filter): string {
  const digits = minorDigits(f.currency);
  const major = (column: string) => `round(${column}::numeric / ${10 ** digits}, ${digits})`;
  const where = [`tenant_id = ${quoteLiteral(f.tenantId)}`];
  if (f.fromMs !== null) where.push(`created_at_ms >= ${f.fromMs}`);
  if (f.toMs !== null) where.push(`created_at_ms <= ${f.toMs}`);
  if (f.kind !== null) where.push(`kind = ${quoteLiteral(f.kind)}`);
  if (f.numberId !== null) where.push(`number_id = ${quoteLiteral(f.numberId)}`);
  return `SELECT to_char(to_timestamp(created_at_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
    id, kind, number_id AS "numberId",
    CASE WHEN description ~ '^[=+@\\t\\r-]' THEN '''' || description ELSE description END AS description,
    ${major('wallet_amount_minor')} AS amount, ${major('wallet_balance_after_minor')} AS "balanceAfter", currency
    FROM ledger_transactions WHERE ${where.join(' AND ')} ORDER BY tenant_id, seq`;
}

function sqliteStream(ctx: Ctx, f: Filter): Readable {
  const conditions: Array<[string, unknown]> = [['tenant_id = ?', f.tenantId], ['created_at_ms >= ?', f.fromMs], ['created_at_ms <= ?', f.toMs], ['kind = ?', f.kind], ['number_id = ?', f.numberId]];
  const used = conditions.filter(([, value]) => value !== null);
  const cursor = ctx.store.exporter.iterate(sqliteLineQuery(used.map(([clause]) => clause), minorDigits(f.currency)), used.map(([, value]) => value));
  let header = true;
  return new Readable({
    read() {
      try {
        let chunk = header ? `${CSV_COLUMNS.join(',')}\r\n` : '';
        header = false;
        for (let i = 0; i < SQLITE_ROWS_PER_CHUNK; i += 1) {
          const next = cursor.rows.next();
          if (next.done) {
            cursor.close();
            if (chunk) this.push(chunk);
            this.push(null);
            return;
          }
          chunk += next.value[0] as string;
        }
        this.push(chunk);
      } catch (err) {
        cursor.close();
        this.destroy(err as Error);
      }
    },
    destroy(err, callback) {
      cursor.close();
      callback(err);
    },
  });
}

/**
 * SQLite writes each CSV record itself (one text column per row), so JavaScript only joins strings: no
 * per-row objects, dates or bigints. Same rules as csvText/fixedMajor (the export test holds both to them).
 */
function sqliteLineQuery(where: string[], digits: number): string {
  const scale = 10 ** digits;
  const major = (c: string) => (digits === 0 ? `CAST(${c} AS TEXT)`
    : `printf('%s%d.%0${digits}d', CASE WHEN ${c} < 0 THEN '-' ELSE '' END, abs(${c}) / ${scale}, abs(${c}) % ${scale})`);
  const quoted = `CASE WHEN d IS NULL THEN '' WHEN instr(d, '"') > 0 OR instr(d, ',') > 0 OR instr(d, char(10)) > 0 OR instr(d, char(13)) > 0
    THEN '"' || replace(d, '"', '""') || '"' ELSE d END`;
  return `SELECT strftime('%Y-%m-%dT%H:%M:%fZ', created_at_ms / 1000.0, 'unixepoch') || ',' || id || ',' || kind || ',' || coalesce(number_id, '') || ','
      || ${quoted} || ',' || ${major('wallet_amount_minor')} || ',' || CASE WHEN wallet_balance_after_minor IS NULL THEN '' ELSE ${major('wallet_balance_after_minor')} END
      || ',' || currency || char(13, 10)
    FROM (SELECT *, CASE WHEN substr(description, 1, 1) IN ('=', '+', '-', '@', char(9), char(13)) THEN '''' || description ELSE description END AS d
      FROM ledger_transactions WHERE ${where.join(' AND ')}) ORDER BY tenant_id, seq`;
}

/** RFC 4180: quoted when it holds a quote, comma or line break (quotes doubled); formula starters defused. */
export function csvText(value: string | null): string {
  if (value === null || value === '') return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Minor units as a fixed-point major amount ("12.30", "-0.05", "7" for zero-decimal currencies). */
export function fixedMajor(minor: bigint, digits: number): string {
  if (digits === 0) return minor.toString();
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
