import { sql } from 'kysely';
import type { LedgerCheck } from '../ledger/verify-ledger.ts';

/**
 * The holds' invariants, for verifyLedger's extension point (the ledger may not import holds):
 * a wallet's cached held equals the sum of its holds still `held` plus its open disputes' holds — a
 * release that was lost or made twice shows up here — and a captured hold has its capture transaction, for what it took.
 */
export const HOLD_LEDGER_CHECKS: readonly LedgerCheck[] = [
  {
    name: 'wallet_held_matches_holds',
    findProblems: async (db, limit) => {
      // Open disputes hold too (refunds/disputes.ts), so both kinds of reservation are summed here.
      const { rows } = await sql<Record<string, unknown>>`SELECT w.tenant_id, w.held_minor, COALESCE(h.total, 0) AS holds, COALESCE(d.total, 0) AS disputes
        FROM wallets w
        LEFT JOIN (SELECT tenant_id, SUM(amount_minor) AS total FROM holds WHERE state = 'held' GROUP BY tenant_id) h ON h.tenant_id = w.tenant_id
        LEFT JOIN (SELECT tenant_id, SUM(held_minor) AS total FROM disputes WHERE state = 'open' GROUP BY tenant_id) d ON d.tenant_id = w.tenant_id
        WHERE w.held_minor <> COALESCE(h.total, 0) + COALESCE(d.total, 0) LIMIT ${limit}`.execute(db);
      return rows.map((r) => `wallet of ${r.tenant_id}: held ${r.held_minor}, held holds ${r.holds}, open disputes ${r.disputes} (minor units)`);
    },
  },
  {
    name: 'captured_holds_match_transactions',
    findProblems: async (db, limit) => {
      const { rows } = await sql<Record<string, unknown>>`SELECT h.id, h.captured_minor, t.wallet_amount_minor FROM holds h
        LEFT JOIN ledger_transactions t ON t.id = h.capture_transaction_id
        WHERE h.state = 'captured' AND (t.id IS NULL OR t.kind <> 'hold_capture' OR t.wallet_amount_minor <> -h.captured_minor) LIMIT ${limit}`.execute(db);
      return rows.map((r) => `hold ${r.id}: captured ${r.captured_minor}, capture transaction moved ${r.wallet_amount_minor ?? 'nothing'}`);
    },
  },
];
