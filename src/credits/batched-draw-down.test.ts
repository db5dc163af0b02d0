import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';

/**
 * Concurrent debits reach the ledger in batches (the group commit; on PostgreSQL one posting statement per
 * batch, drawn down set-based by migration 0015's statement trigger). However they are batched, taken in
 * commit order they must draw exactly as one at a time would: each block emptied before the next in
 * draw-down order (priority, then earliest expiry, then oldest; a tie broken by age) is touched.
 */
let purse: TestPurse;
const DAY_MS = 86_400_000;
const DEBITS = 60;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' });
});

afterAll(async () => {
  await purse?.close();
});

describe('batched draw-down', () => {
  it(`${DEBITS} concurrent debits, in commit order, drain the blocks one after another in draw-down order`, async () => {
    const t = await setupTenant(purse);
    await fundWallet(purse, t.tenantId, '100.00');
    const inDays = (days: number) => new Date(purse.ctx.nowMs() + days * DAY_MS).toISOString();
    // Draw-down order: p5, p10 expiring in 2 days, then the two p10 expiring in 9 days (older first), then funding (50).
    const grants = [
      { reason: 'p10 late, older', amount: '0.70', priority: 10, expiresAt: inDays(9) },
      { reason: 'p10 late, newer', amount: '0.70', priority: 10, expiresAt: inDays(9) },
      { reason: 'p10 soon', amount: '0.50', priority: 10, expiresAt: inDays(2) },
      { reason: 'p5', amount: '0.30', priority: 5 },
    ];
    const ids: Record<string, string> = {};
    for (const g of grants) ids[g.reason] = (await admin(purse, 'POST', `/v1/admin/tenants/${t.tenantId}/credits`, g)).body.id;
    const order = ['p5', 'p10 soon', 'p10 late, older', 'p10 late, newer'].map((r) => ids[r]!);
    const results = await Promise.all(Array.from({ length: DEBITS }, (_, i) =>
      asKey(purse, t.tenantKey, 'POST', '/v1/billing/usage', { amount: '0.07' }, { 'idempotency-key': `batched-${i}` })));
    expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const moves = await purse.ctx.store.db.selectFrom('credit_block_postings as p').innerJoin('ledger_transactions as t', 't.id', 'p.transaction_id')
      .select(['t.seq', 'p.block_id', 'p.amount_minor']).where('t.tenant_id', '=', t.tenantId).where('t.kind', '=', 'usage').orderBy('t.seq').execute();
    const rank = (blockId: string) => (order.includes(blockId) ? order.indexOf(blockId) : order.length);
    // Each debit's draws, in commit order (within one debit, in draw-down order), never go back to an earlier block.
    const ranks = moves.map((m) => [Number(m.seq), rank(m.block_id)] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, r]) => r);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // 60 × 7 = 420: the promotional blocks (30 + 50 + 70 + 70 = 220) are empty, 200 came from the funding block.
    const left = await purse.ctx.store.db.selectFrom('credit_blocks').select(['id', 'remaining_minor']).where('tenant_id', '=', t.tenantId).execute();
    expect(left.filter((b) => order.includes(b.id)).map((b) => Number(b.remaining_minor))).toEqual([0, 0, 0, 0]);
    expect(left.filter((b) => !order.includes(b.id)).map((b) => Number(b.remaining_minor))).toEqual([10_000 - 200]);
    // A debit that straddles two blocks names both, summing to its amount.
    for (const r of results) {
      const view = await asKey(purse, t.tenantKey, 'GET', `/v1/billing/transactions/${r.body.transaction.id}`);
      expect(view.body.blocks.reduce((s: number, b: { amount: number }) => s + Math.round(b.amount * 100), 0)).toBe(-7);
    }
    await expectLedgerSound(purse);
  });
});
