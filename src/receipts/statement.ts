import { type Kysely, sql } from 'kysely';
import type { Ctx } from '../context.ts';
import { fieldError } from '../errors/purse-error.ts';
import type { Database } from '../store/schema.ts';

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;
const YEAR_MIN = 2000;

export interface StatementLine {
  kind: string;
  /** +1: the kind's moves into the wallet; -1: out of it. A kind with both gets two lines. */
  direction: 1 | -1;
  count: number;
  /** Signed minor units: positive for credits, negative for debits. */
  amountMinor: bigint;
}

export interface Statement {
  period: string;
  currency: string;
  startMs: number;
  endMs: number;
  openingMinor: bigint;
  creditsMinor: bigint;
  debitsMinor: bigint;
  closingMinor: bigint;
  lines: StatementLine[];
}

/** `YYYY-MM` → its UTC month [start, end); anything else, or a month that has not begun, is a 400. */
export function parsePeriod(period: string, nowMs: number): { startMs: number; endMs: number } {
  const match = PERIOD_PATTERN.exec(period);
  if (!match || Number(match[1]) < YEAR_MIN) throw fieldError('PERIOD_INVALID', 'period', 'must be a month as YYYY-MM');
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  const startMs = Date.UTC(year, month, 1);
  if (startMs > nowMs) throw fieldError('PERIOD_INVALID', 'period', 'is in the future');
  return { startMs, endMs: Date.UTC(year, month + 1, 1) };
}

/**
 * The tenant's month: opening = every wallet posting before the month, lines = the month's postings by kind
 * and direction, closing = opening + credits − debits, which is the ledger balance at the month's end (for
 * the current month: now). Read from ledger_transactions' wallet_amount_minor (the wallet's posting of each
 * transaction), so every kind the ledger has — including ones added later — is counted; labels come elsewhere.
 */
export async function buildStatement(ctx: Ctx, tenantId: string, period: string): Promise<Statement> {
  const { startMs, endMs } = parsePeriod(period, ctx.nowMs());
  // A statement tolerates bounded staleness (issue 25): the read replica, while within its lag bound.
  const db = ctx.store.reader();
  const tenant = await db.selectFrom('tenants').select(['currency']).where('id', '=', tenantId).executeTakeFirstOrThrow();
  const openingMinor = await walletSumBefore(db, tenantId, startMs);
  const lines = await periodLines(db, tenantId, startMs, endMs);
  const creditsMinor = lines.filter((l) => l.direction === 1).reduce((sum, l) => sum + l.amountMinor, 0n);
  const debitsMinor = -lines.filter((l) => l.direction === -1).reduce((sum, l) => sum + l.amountMinor, 0n);
  return { period, currency: tenant.currency, startMs, endMs, openingMinor, creditsMinor, debitsMinor, closingMinor: openingMinor + creditsMinor - debitsMinor, lines };
}

export async function walletSumBefore(db: Kysely<Database>, tenantId: string, beforeMs: number): Promise<bigint> {
  const row = await db.selectFrom('ledger_transactions').select((eb) => eb.fn.sum<bigint | string | null>('wallet_amount_minor').as('total'))
    .where('tenant_id', '=', tenantId).where('created_at_ms', '<', BigInt(beforeMs)).executeTakeFirst();
  return row?.total == null ? 0n : BigInt(row.total);
}

async function periodLines(db: Kysely<Database>, tenantId: string, startMs: number, endMs: number): Promise<StatementLine[]> {
  const direction = sql<number>`CASE WHEN wallet_amount_minor < 0 THEN -1 ELSE 1 END`;
  const rows = await db.selectFrom('ledger_transactions')
    .select((eb) => [
      'kind', direction.as('direction'),
      eb.fn.countAll<bigint | string | number>().as('count'),
      eb.fn.sum<bigint | string>('wallet_amount_minor').as('amount'),
    ])
    .where('tenant_id', '=', tenantId).where('created_at_ms', '>=', BigInt(startMs)).where('created_at_ms', '<', BigInt(endMs))
    .groupBy(['kind', direction]).orderBy('kind').orderBy(direction, 'desc').execute();
  return rows.map((r) => ({ kind: r.kind, direction: Number(r.direction) < 0 ? -1 : 1, count: Number(r.count), amountMinor: BigInt(r.amount) }));
}
