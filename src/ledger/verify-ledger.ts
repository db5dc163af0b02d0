import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../store/db.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface LedgerReport {
  ok: boolean;
  checks: CheckResult[];
}

/**
 * One invariant over the whole store. `findProblems` returns up to `limit` offenders, described for a human;
 * none means the invariant holds. Other capabilities (holds: held_minor equals the active holds) pass theirs
 * to verifyLedger rather than the ledger importing them.
 */
export interface LedgerCheck {
  name: string;
  findProblems(db: Db, limit: number): Promise<string[]>;
}

/** Offenders named in a failed check's detail; the rest are summarised. */
export const DETAIL_SAMPLES_MAX = 5;

/**
 * Proves the ledger invariants with one aggregate statement per check: full scans and hash joins, no
 * per-row round trips, so it stays usable at millions of postings. Each statement sees one snapshot.
 */
export async function verifyLedger(
  db: Db,
  extraChecks: readonly LedgerCheck[] = [],
  onCheck: (name: string, index: number, total: number) => void = () => {},
): Promise<LedgerReport> {
  const checks: CheckResult[] = [];
  const all = [...CORE_CHECKS, ...extraChecks];
  for (const [index, check] of all.entries()) {
    onCheck(check.name, index, all.length);
    const problems = await check.findProblems(db, DETAIL_SAMPLES_MAX + 1);
    checks.push(toResult(check.name, problems));
  }
  return { ok: checks.every((c) => c.ok), checks };
}

function toResult(name: string, problems: string[]): CheckResult {
  if (problems.length === 0) return { name, ok: true };
  const shown = problems.slice(0, DETAIL_SAMPLES_MAX).join('; ');
  return { name, ok: false, detail: problems.length > DETAIL_SAMPLES_MAX ? `${shown}; and more` : shown };
}

type Row = Record<string, unknown>;

/** A check that is one SELECT of offending rows, each described by `describe`. */
function sqlCheck(name: string, query: (limit: number) => RawBuilder<Row>, describe: (row: Row) => string): LedgerCheck {
  return {
    name,
    findProblems: async (db, limit) => (await query(limit).execute(db)).rows.map(describe),
  };
}

const CORE_CHECKS: readonly LedgerCheck[] = [
  sqlCheck(
    'transactions_balance_per_currency',
    (limit) => sql`SELECT transaction_id, currency, SUM(amount_minor) AS total FROM ledger_postings
      GROUP BY transaction_id, currency HAVING SUM(amount_minor) <> 0 LIMIT ${limit}`,
    (r) => `${r.transaction_id} ${r.currency} postings sum to ${r.total}`,
  ),
  sqlCheck(
    'transactions_have_two_postings',
    (limit) => sql`SELECT t.id, COUNT(p.seq) AS postings FROM ledger_transactions t
      LEFT JOIN ledger_postings p ON p.transaction_id = t.id GROUP BY t.id HAVING COUNT(p.seq) < 2 LIMIT ${limit}`,
    (r) => `${r.id} has ${r.postings} posting(s)`,
  ),
  sqlCheck(
    'postings_on_known_accounts',
    (limit) => sql`SELECT p.transaction_id, p.account_id FROM ledger_postings p
      LEFT JOIN ledger_accounts a ON a.id = p.account_id WHERE a.id IS NULL LIMIT ${limit}`,
    (r) => `${r.transaction_id} posts to unknown account ${r.account_id}`,
  ),
  sqlCheck(
    'posting_currency_matches_account',
    (limit) => sql`SELECT p.transaction_id, p.account_id, p.currency, a.currency AS account_currency FROM ledger_postings p
      JOIN ledger_accounts a ON a.id = p.account_id WHERE p.currency <> a.currency LIMIT ${limit}`,
    (r) => `${r.transaction_id} posts ${r.currency} to ${r.account_id} (${r.account_currency})`,
  ),
  sqlCheck(
    'posting_currency_matches_transaction',
    (limit) => sql`SELECT p.transaction_id, p.currency, t.currency AS transaction_currency FROM ledger_postings p
      JOIN ledger_transactions t ON t.id = p.transaction_id WHERE p.currency <> t.currency LIMIT ${limit}`,
    (r) => `${r.transaction_id} (${r.transaction_currency}) has a ${r.currency} posting`,
  ),
  sqlCheck(
    'wallet_balances_match_postings',
    (limit) => sql`SELECT w.tenant_id, w.balance_minor, COALESCE(SUM(p.amount_minor), 0) AS total FROM wallets w
      LEFT JOIN ledger_postings p ON p.account_id = w.account_id
      GROUP BY w.tenant_id, w.balance_minor HAVING w.balance_minor <> COALESCE(SUM(p.amount_minor), 0) LIMIT ${limit}`,
    (r) => `wallet of ${r.tenant_id}: cached ${r.balance_minor}, postings ${r.total} (minor units)`,
  ),
  sqlCheck(
    'wallet_amounts_match_postings',
    (limit) => sql`SELECT t.id, t.wallet_amount_minor, COALESCE(w.total, 0) AS total FROM ledger_transactions t
      LEFT JOIN (SELECT p.transaction_id, SUM(p.amount_minor) AS total FROM ledger_postings p
        JOIN wallets wa ON wa.account_id = p.account_id GROUP BY p.transaction_id) w ON w.transaction_id = t.id
      WHERE t.wallet_amount_minor <> COALESCE(w.total, 0) LIMIT ${limit}`,
    (r) => `${r.id}: wallet_amount_minor ${r.wallet_amount_minor}, wallet postings ${r.total}`,
  ),
  sqlCheck(
    'wallet_postings_match_tenant',
    (limit) => sql`SELECT t.id, t.tenant_id, wa.tenant_id AS wallet_tenant_id FROM ledger_postings p
      JOIN wallets wa ON wa.account_id = p.account_id JOIN ledger_transactions t ON t.id = p.transaction_id
      WHERE t.tenant_id IS NULL OR t.tenant_id <> wa.tenant_id LIMIT ${limit}`,
    (r) => `${r.id} of tenant ${r.tenant_id ?? 'none'} posts to the wallet of ${r.wallet_tenant_id}`,
  ),
  // Seq is assigned while the wallet row is locked, so per tenant it is the order the balance moved in.
  sqlCheck(
    'wallet_balance_after_chains',
    (limit) => sql`SELECT id, wallet_amount_minor, wallet_balance_after_minor, previous_minor FROM (
        SELECT id, wallet_amount_minor, wallet_balance_after_minor,
          LAG(wallet_balance_after_minor, 1, CAST(0 AS bigint)) OVER (PARTITION BY tenant_id ORDER BY seq) AS previous_minor
        FROM ledger_transactions WHERE wallet_balance_after_minor IS NOT NULL) chain
      WHERE wallet_balance_after_minor - wallet_amount_minor <> previous_minor LIMIT ${limit}`,
    (r) => `${r.id}: balance after ${r.wallet_balance_after_minor} − amount ${r.wallet_amount_minor} ≠ previous ${r.previous_minor}`,
  ),
  // Issue 24: the usage rollup (ledger/usage-rollup.ts) is the ledger's spending per wallet, hour, number, description.
  sqlCheck(
    'usage_rollup_matches_ledger',
    (limit) => sql`SELECT COALESCE(l.tenant_id, r.tenant_id) AS tenant_id, COALESCE(l.hour_ms, r.hour_ms) AS hour_ms,
        l.amount_minor AS ledger_minor, r.amount_minor AS rollup_minor, l.count AS ledger_count, r.count AS rollup_count
      FROM (SELECT tenant_id, created_at_ms - (created_at_ms % 3600000) AS hour_ms, COALESCE(number_id, '') AS number_id,
          COALESCE(description, '') AS description, -SUM(wallet_amount_minor) AS amount_minor, COUNT(*) AS count
        FROM ledger_transactions WHERE kind IN ('usage', 'hold_capture') AND tenant_id IS NOT NULL
        GROUP BY tenant_id, created_at_ms - (created_at_ms % 3600000), COALESCE(number_id, ''), COALESCE(description, '')) l
      FULL OUTER JOIN usage_hourly r ON r.tenant_id = l.tenant_id AND r.hour_ms = l.hour_ms AND r.number_id = l.number_id
        AND r.description = l.description
      WHERE l.tenant_id IS NULL OR r.tenant_id IS NULL OR l.amount_minor <> r.amount_minor OR l.count <> r.count LIMIT ${limit}`,
    (r) => `usage of ${r.tenant_id} in the hour at ${r.hour_ms}: ledger ${r.ledger_minor ?? 0} in ${r.ledger_count ?? 0}, rollup ${r.rollup_minor ?? 0} in ${r.rollup_count ?? 0}`,
  ),
  sqlCheck(
    'wallet_held_not_negative',
    (limit) => sql`SELECT tenant_id, held_minor FROM wallets WHERE held_minor < 0 LIMIT ${limit}`,
    (r) => `wallet of ${r.tenant_id}: held ${r.held_minor}`,
  ),
];
