import type { BenchDatabase } from '../bench/fixtures.ts';
import { checkHolds } from './holds.ts';
import type { Expectation } from './drive.ts';

/**
 * What must hold after any schedule, read from the database alone:
 * - every paid session credited exactly once, for its amount; an unpaid one never;
 * - every debit Purse acknowledged present exactly once, for its amount;
 * - usage never took the balance below zero (replaying the tenant's ledger in commit order);
 * - every refund clawed back exactly once in proportion; a lost dispute clawed back, a won one not, an open
 *   one held.
 */
export interface Violation {
  seed: number;
  what: string;
}

interface TxRow {
  reference: string;
  kind: string;
  wallet_amount_minor: number | string;
  wallet_balance_after_minor: number | string | null;
}

export async function checkSchedule(db: BenchDatabase, e: Expectation): Promise<Violation[]> {
  const rows = await db.query<TxRow>(
    'select reference, kind, wallet_amount_minor, wallet_balance_after_minor from ledger_transactions where tenant_id = $1 order by seq',
    [e.tenantId],
  );
  const out: Violation[] = [];
  const fail = (what: string) => out.push({ seed: e.seed, what });
  for (const problem of e.problems) fail(problem);
  const byRef = new Map<string, TxRow[]>();
  for (const row of rows) byRef.set(row.reference, [...(byRef.get(row.reference) ?? []), row]);
  const amountOf = (ref: string) => (byRef.get(ref) ?? []).reduce((sum, r) => sum + Number(r.wallet_amount_minor), 0);
  for (const order of e.paidOrders) {
    const ref = `topup:${order.orderId}`;
    const count = byRef.get(ref)?.length ?? 0;
    if (count !== 1) fail(`paid order ${order.orderId} credited ${count} times`);
    else if (amountOf(ref) !== order.amountMinor) fail(`paid order ${order.orderId} credited ${amountOf(ref)}, expected ${order.amountMinor}`);
  }
  for (const orderId of e.unpaidOrders) {
    if (byRef.has(`topup:${orderId}`)) fail(`unpaid order ${orderId} was credited`);
  }
  for (const d of e.acknowledgedDebits) {
    const ref = `usage:${e.tenantId}:${d.key}`;
    const count = byRef.get(ref)?.length ?? 0;
    if (count !== 1) fail(`acknowledged debit ${d.key} present ${count} times`);
    else if (amountOf(ref) !== -d.amountMinor) fail(`debit ${d.key} moved ${amountOf(ref)}, expected ${-d.amountMinor}`);
  }
  checkNoUsageOverdraft(rows, fail);
  checkMoneyBack(rows, e, fail);
  const [wallet] = await db.query<{ held_minor: number | string }>('select held_minor from wallets where tenant_id = $1', [e.tenantId]);
  const disputeHeld = disputeHolds(e);
  const expectedHeld = await checkHolds(db, e.tenantId, e.holds, disputeHeld.minor, fail);
  const heldMinor = Number(wallet?.held_minor ?? 0);
  if (Math.abs(heldMinor - expectedHeld) > disputeHeld.open) fail(`wallet holds ${heldMinor}, expected ${expectedHeld} (open holds plus open disputes, ±1 rounding per dispute)`);
  return out;
}

/** A usage debit may only land while the balance covers it; clawbacks may take it negative, visibly. */
function checkNoUsageOverdraft(rows: TxRow[], fail: (what: string) => void): void {
  let balance = 0;
  for (const row of rows) {
    balance += Number(row.wallet_amount_minor);
    if (row.kind === 'usage' && balance < 0) fail(`usage ${row.reference} overdrew the wallet to ${balance}`);
  }
}

/** Clawbacks are the transactions whose reference names the charge; their sum is what the rules give. */
function checkMoneyBack(rows: TxRow[], e: Expectation, fail: (what: string) => void): void {
  const clawedFor = (id: string, prefix: string) =>
    rows.filter((r) => r.reference.startsWith(`${prefix}:${id}:`)).reduce((sum, r) => sum + Number(r.wallet_amount_minor), 0);
  for (const r of e.refunds) {
    const expected = Math.floor((r.creditedMinor * r.refundedMinor) / r.chargeMinor);
    const got = -clawedFor(r.chargeId, 'refund');
    if (Math.abs(got - expected) > 1) fail(`refund of ${r.chargeId}: clawed back ${got}, expected ${expected} (±1 rounding)`);
  }
  for (const d of e.disputes) {
    const share = Math.floor((d.creditedMinor * d.disputedMinor) / d.chargeMinor);
    const got = -clawedFor(d.disputeId, 'dispute');
    const expected = d.outcome === 'lost' ? share : 0;
    if (Math.abs(got - expected) > 1) fail(`dispute of ${d.chargeId} (${d.outcome}): clawed back ${got}, expected ${expected} (±1 rounding)`);
  }
}

/** An open dispute keeps its share held (available drops, balance does not); a closed one holds nothing. */
function disputeHolds(e: Expectation): { minor: number; open: number } {
  const open = e.disputes.filter((d) => d.outcome === 'open');
  return { minor: open.reduce((sum, d) => sum + Math.floor((d.creditedMinor * d.disputedMinor) / d.chargeMinor), 0), open: open.length };
}
