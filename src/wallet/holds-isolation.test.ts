import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.ts';
import { asKey, call } from '../testing/api.ts';
import { useHoldsRig } from '../testing/holds.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { HOLD_LEDGER_CHECKS } from './hold-checks.ts';

/** Who may see and act on a hold, and the ledger checks that catch a hold out of step with its wallet. */
const h = useHoldsRig();
const { place, capture, voidIt, read, fundedTenant } = h;

describe('hold isolation', () => {
  it.each([
    ['GET', 'read'],
    ['POST', 'capture'],
    ['POST', 'void'],
  ])("answers 404 to another tenant's key on %s …/%s, changing nothing", async (method, action) => {
    const other = await fundedTenant(10);
    const { hold } = (await place(h.acme.tenantKey, { amount: 1 })).body;
    const url = action === 'read' ? `/v1/billing/holds/${hold.id}` : `/v1/billing/holds/${hold.id}/${action}`;
    const res = await asKey(h.purse, other.tenantKey, method as 'GET' | 'POST', url);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect((await read(h.acme.tenantKey, hold.id)).body.state).toBe('held');
  });

  it.each([['read'], ['capture'], ['void']])("answers 404 to a number key on %s of a hold that is not its number's", async (action) => {
    const { hold } = (await place(h.acme.tenantKey, { amount: 1 })).body;
    const url = action === 'read' ? `/v1/billing/holds/${hold.id}` : `/v1/billing/holds/${hold.id}/${action}`;
    const res = await asKey(h.purse, h.acme.numberKey, action === 'read' ? 'GET' : 'POST', url);
    expect(res.status).toBe(404);
    expect((await read(h.acme.tenantKey, hold.id)).body.state).toBe('held');
  });

  it('lets the tenant key act on a number\'s hold', async () => {
    const { hold } = (await place(h.acme.numberKey, { amount: 1 })).body;
    expect((await read(h.acme.tenantKey, hold.id)).status).toBe(200);
    expect((await voidIt(h.acme.tenantKey, hold.id)).status).toBe(200);
  });

  it.each([['hld_00000000000000000000000000'], ['not-an-id'], ['x'.repeat(65)]])('answers an unknown hold id %s with 4xx', async (id) => {
    const res = await read(h.acme.tenantKey, id);
    expect([400, 404]).toContain(res.status);
  });

  it('answers 401 without a key on every hold route', async () => {
    const { hold } = (await place(h.acme.tenantKey, { amount: 1 })).body;
    for (const [method, url] of [['POST', '/v1/billing/holds'], ['GET', `/v1/billing/holds/${hold.id}`], ['POST', `/v1/billing/holds/${hold.id}/capture`], ['POST', `/v1/billing/holds/${hold.id}/void`]] as const) {
      expect((await call(h.purse, method, url)).status).toBe(401);
    }
  });
});

describe('ledger verification of holds', () => {
  /** Breaks one row on purpose, checks the report, then puts it back so the final ledger test stays clean. */
  async function whileCorrupted(breakIt: () => Promise<unknown>, repair: () => Promise<unknown>, check: () => Promise<void>): Promise<void> {
    await breakIt();
    try {
      await check();
    } finally {
      await repair();
    }
    expect((await verifyLedger(h.purse.ctx.store.db, HOLD_LEDGER_CHECKS)).ok).toBe(true);
  }

  it("flags a wallet whose held differs from the sum of its held holds", async () => {
    const tenant = await fundedTenant(10);
    await place(tenant.tenantKey, { amount: 3 });
    const db = h.purse.ctx.store.db;
    const setHeld = (heldMinor: bigint) => db.updateTable('wallets').set({ held_minor: heldMinor }).where('tenant_id', '=', tenant.tenantId).execute();
    await whileCorrupted(() => setHeld(299n), () => setHeld(300n), async () => {
      const report = await verifyLedger(db, HOLD_LEDGER_CHECKS);
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.name === 'wallet_held_matches_holds')).toEqual({
        name: 'wallet_held_matches_holds', ok: false, detail: `wallet of ${tenant.tenantId}: held 299, held holds 300, open disputes 0 (minor units)`,
      });
    });
  });

  it('flags a captured hold whose captured amount differs from its capture transaction', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 3 })).body;
    await capture(tenant.tenantKey, hold.id, { amount: 2 });
    const db = h.purse.ctx.store.db;
    const setCaptured = (minor: bigint) => db.updateTable('holds').set({ captured_minor: minor }).where('id', '=', hold.id).execute();
    await whileCorrupted(() => setCaptured(201n), () => setCaptured(200n), async () => {
      const report = await verifyLedger(db, HOLD_LEDGER_CHECKS);
      expect(report.checks.find((c) => !c.ok)?.name).toBe('captured_holds_match_transactions');
    });
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(h.purse);
});
