import { expect } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.ts';
import { CAPABILITY_LEDGER_CHECKS } from '../cli/ledger.ts';
import { type Call, admin } from './api.ts';
import type { TestPurse } from './harness.ts';

/**
 * Puts money in a tenant's wallet the way an operator would (an admin adjustment), so tests of
 * spending need no Stripe. Returns the adjustment's body: `{ transaction, wallet }`.
 */
export async function fundWallet(purse: TestPurse, tenantId: string, amountMajor: number | string): Promise<Call['body']> {
  const res = await admin(purse, 'POST', `/v1/admin/tenants/${tenantId}/adjustments`, { amount: amountMajor, reason: 'test funding' });
  if (res.status !== 201) throw new Error(`funding ${tenantId} failed with ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Asserts every ledger invariant (plus the capabilities' checks: holds, refunds, disputes) over a test's database, naming what broke. */
export async function expectLedgerSound(purse: TestPurse): Promise<void> {
  const report = await verifyLedger(purse.ctx.store.db, CAPABILITY_LEDGER_CHECKS);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.ok).toBe(true);
}
