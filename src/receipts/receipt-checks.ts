import { sql } from 'kysely';
import type { LedgerCheck } from '../ledger/verify-ledger.ts';
import { OPERATOR_SCOPE } from './issue-receipt.ts';

type Row = Record<string, string | bigint | number | null>;

/** `purse ledger verify` (issue 22): every documented credit has its one document, and numbering is gapless. */
export const RECEIPT_LEDGER_CHECKS: readonly LedgerCheck[] = [
  {
    name: 'receipts_document_every_credit',
    findProblems: async (db, limit) => {
      const { rows } = await sql<Row>`SELECT t.id, t.kind, r.id AS receipt_id, r.credited_minor, t.wallet_amount_minor FROM ledger_transactions t
        LEFT JOIN receipts r ON r.transaction_id = t.id
        WHERE t.kind IN ('topup', 'auto_topup', 'refund_clawback')
          AND (r.id IS NULL OR r.credited_minor <> abs(t.wallet_amount_minor) OR r.kind <> CASE WHEN t.kind = 'refund_clawback' THEN 'credit_note' ELSE 'receipt' END)
        LIMIT ${limit}`.execute(db);
      return rows.map((r) => `${r.kind} ${r.id}: ${r.receipt_id === null ? 'no receipt' : `receipt ${r.receipt_id} says ${r.credited_minor}, the wallet moved ${r.wallet_amount_minor}`}`);
    },
  },
  {
    name: 'receipt_numbers_gapless',
    findProblems: async (db) => {
      const { rows } = await sql<Row>`SELECT (SELECT last_number FROM receipt_counters WHERE scope = ${OPERATOR_SCOPE}) AS last_number,
        COUNT(*) AS issued, MIN(serial) AS first, MAX(serial) AS last FROM receipts`.execute(db);
      const row = rows[0];
      if (!row) return [];
      const [issued, last, counter] = [Number(row.issued), Number(row.last ?? 0), Number(row.last_number ?? 0)];
      const ok = issued === counter && (issued === 0 || (Number(row.first) === 1 && last === issued));
      return ok ? [] : [`${issued} receipts, serials ${row.first ?? '–'}..${row.last ?? '–'}, counter at ${counter}`];
    },
  },
];
