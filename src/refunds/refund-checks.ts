import { sql } from 'kysely';
import type { LedgerCheck } from '../ledger/verify-ledger.ts';

type Row = Record<string, unknown>;

/**
 * Money-back invariants for verifyLedger's extension point: every clawback row has its ledger
 * transaction for exactly what it took; a charge never gives back more than its top-up credited; a lost
 * dispute has its loss transaction for the held share. (Open dispute holds are summed into
 * wallet_held_matches_holds.)
 */
export const REFUND_LEDGER_CHECKS: readonly LedgerCheck[] = [
  {
    name: 'refund_clawbacks_match_transactions',
    findProblems: async (db, limit) => {
      const { rows } = await sql<Row>`SELECT c.reference, c.clawed_back_minor, t.wallet_amount_minor FROM refund_clawbacks c
        LEFT JOIN ledger_transactions t ON t.id = c.transaction_id
        WHERE t.id IS NULL OR t.kind <> 'refund_clawback' OR t.reference <> c.reference OR t.wallet_amount_minor <> -c.clawed_back_minor
        LIMIT ${limit}`.execute(db);
      return rows.map((r) => `${r.reference}: clawed back ${r.clawed_back_minor}, transaction moved ${r.wallet_amount_minor ?? 'nothing'}`);
    },
  },
  {
    name: 'refund_clawbacks_within_credit',
    findProblems: async (db, limit) => {
      // A charge paid for a Checkout top-up (order) or an auto top-up (attempt): exactly one is set.
      const { rows } = await sql<Row>`SELECT c.charge_id, COALESCE(o.amount_minor, a.amount_minor) AS amount_minor, SUM(c.clawed_back_minor) AS total
        FROM refund_clawbacks c LEFT JOIN checkout_orders o ON o.id = c.order_id LEFT JOIN auto_topup_attempts a ON a.id = c.attempt_id
        GROUP BY c.charge_id, o.amount_minor, a.amount_minor
        HAVING COALESCE(o.amount_minor, a.amount_minor) IS NULL OR SUM(c.clawed_back_minor) > COALESCE(o.amount_minor, a.amount_minor) LIMIT ${limit}`.execute(db);
      return rows.map((r) => `charge ${r.charge_id}: clawed back ${r.total} of a ${r.amount_minor ?? 'missing'} credit`);
    },
  },
  {
    name: 'lost_disputes_match_transactions',
    findProblems: async (db, limit) => {
      const { rows } = await sql<Row>`SELECT d.id, d.held_minor, t.wallet_amount_minor FROM disputes d
        LEFT JOIN ledger_transactions t ON t.id = d.loss_transaction_id
        WHERE d.state = 'lost' AND d.held_minor > 0 AND (t.id IS NULL OR t.kind <> 'dispute_loss' OR t.wallet_amount_minor <> -d.held_minor)
        LIMIT ${limit}`.execute(db);
      return rows.map((r) => `dispute ${r.id}: held ${r.held_minor}, loss transaction moved ${r.wallet_amount_minor ?? 'nothing'}`);
    },
  },
];
