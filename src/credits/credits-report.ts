import { sql } from 'kysely';
import type { Ctx } from '../context.ts';
import { fieldError } from '../errors/purse-error.ts';
import { toMajorNumber } from '../money/money.ts';

type Split = { purchased: number; promotional: number; other: number };

export interface CurrencyReport {
  currency: string;
  opening: number;
  purchased: number;
  granted: number;
  consumed: Split;
  expired: Split;
  voided: number;
  clawedBack: number;
  /** Everything else that moved wallets (adjustments, dispute releases), signed. */
  adjusted: number;
  closing: number;
}

const CONSUMING = ['usage', 'hold_capture'];
const CLAWBACK = ['refund_clawback', 'dispute_loss'];

/**
 * `GET /v1/admin/reports/credits?month=YYYY-MM` (SPEC §9.1), per currency, from the ledger alone: wallet
 * postings by transaction kind, consumption and breakage split by the category of the block drawn
 * (credit_block_postings). closing = opening + purchased + granted − consumed − expired − voided − clawedBack + adjusted.
 */
export async function creditsReport(ctx: Ctx, month: string): Promise<{ month: string; currencies: CurrencyReport[] }> {
  const { startMs, endMs } = monthBounds(month);
  const db = ctx.store.reader(); // a report tolerates bounded staleness (issue 25)
  const byKind = await sql<{ currency: string; kind: string; before: string | bigint; within: string | bigint }>`
    select currency, kind,
      sum(case when created_at_ms < ${startMs} then wallet_amount_minor else 0 end) as before,
      sum(case when created_at_ms >= ${startMs} and created_at_ms < ${endMs} then wallet_amount_minor else 0 end) as within
    from ledger_transactions where tenant_id is not null and created_at_ms < ${endMs} group by currency, kind`.execute(db);
  const byCategory = await sql<{ currency: string; kind: string; category: string; total: string | bigint }>`
    select t.currency, t.kind, b.category, sum(p.amount_minor) as total
    from credit_block_postings p join ledger_transactions t on t.id = p.transaction_id join credit_blocks b on b.id = p.block_id
    where t.created_at_ms >= ${startMs} and t.created_at_ms < ${endMs} and t.kind in ('usage', 'hold_capture', 'credit_expiry')
    group by t.currency, t.kind, b.category`.execute(db);
  const currencies = [...new Set(byKind.rows.map((r) => r.currency))].sort();
  return { month, currencies: currencies.map((c) => currencyReport(c, byKind.rows.filter((r) => r.currency === c), byCategory.rows.filter((r) => r.currency === c))) };
}

function currencyReport(
  currency: string,
  kinds: Array<{ kind: string; before: string | bigint; within: string | bigint }>,
  categories: Array<{ kind: string; category: string; total: string | bigint }>,
): CurrencyReport {
  const major = (minor: bigint) => toMajorNumber(minor, currency);
  const within = (pick: (kind: string) => boolean) => kinds.filter((k) => pick(k.kind)).reduce((s, k) => s + BigInt(k.within), 0n);
  const opening = kinds.reduce((s, k) => s + BigInt(k.before), 0n);
  const split = (pick: (kind: string) => boolean): Split => {
    const of = (cat: (c: string) => boolean) => -categories.filter((r) => pick(r.kind) && cat(r.category)).reduce((s, r) => s + BigInt(r.total), 0n);
    return { purchased: major(of((c) => c === 'purchased')), promotional: major(of((c) => c === 'promotional')), other: major(of((c) => c !== 'purchased' && c !== 'promotional')) };
  };
  const named = ['topup', 'auto_topup', 'credit_grant', 'credit_expiry', 'credit_void', ...CONSUMING, ...CLAWBACK];
  const all = within(() => true);
  return {
    currency,
    opening: major(opening),
    purchased: major(within((k) => k === 'topup' || k === 'auto_topup')),
    granted: major(within((k) => k === 'credit_grant')),
    consumed: split((k) => CONSUMING.includes(k)),
    expired: split((k) => k === 'credit_expiry'),
    voided: major(-within((k) => k === 'credit_void')),
    clawedBack: major(-within((k) => CLAWBACK.includes(k))),
    adjusted: major(within((k) => !named.includes(k))),
    closing: major(opening + all),
  };
}

const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

function monthBounds(month: string): { startMs: bigint; endMs: bigint } {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw fieldError('VALIDATION_ERROR', 'month', 'must be YYYY-MM');
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return { startMs: BigInt(Date.UTC(year, index, 1)), endMs: BigInt(Date.UTC(year, index + 1, 1)) };
}
