import { sql } from 'kysely';
import type { LedgerCheck } from '../ledger/verify-ledger.ts';

/**
 * Credit blocks' invariants for verifyLedger (issue 21): every wallet's balance is the sum of its blocks'
 * remaining; every block's remaining is its opening (a migrated balance) plus its block postings; an ended
 * block (expired, voided) holds nothing.
 */
export const CREDIT_LEDGER_CHECKS: readonly LedgerCheck[] = [
  {
    name: 'wallet_balance_is_sum_of_credit_blocks',
    findProblems: async (db, limit) => {
      const { rows } = await sql<Record<string, unknown>>`SELECT w.tenant_id, w.balance_minor, COALESCE(b.total, 0) AS blocks FROM wallets w
        LEFT JOIN (SELECT account_id, SUM(remaining_minor) AS total FROM credit_blocks GROUP BY account_id) b ON b.account_id = w.account_id
        WHERE w.balance_minor <> COALESCE(b.total, 0) LIMIT ${limit}`.execute(db);
      return rows.map((r) => `wallet of ${r.tenant_id}: balance ${r.balance_minor}, blocks ${r.blocks} (minor units)`);
    },
  },
  {
    name: 'credit_block_remaining_matches_its_postings',
    findProblems: async (db, limit) => {
      const { rows } = await sql<Record<string, unknown>>`SELECT b.id, b.remaining_minor, b.opening_minor + COALESCE(p.total, 0) AS posted FROM credit_blocks b
        LEFT JOIN (SELECT block_id, SUM(amount_minor) AS total FROM credit_block_postings GROUP BY block_id) p ON p.block_id = b.id
        WHERE b.remaining_minor <> b.opening_minor + COALESCE(p.total, 0) OR (b.state <> 'active' AND b.remaining_minor <> 0) LIMIT ${limit}`.execute(db);
      return rows.map((r) => `block ${r.id}: remaining ${r.remaining_minor}, opening + postings ${r.posted}`);
    },
  },
];
