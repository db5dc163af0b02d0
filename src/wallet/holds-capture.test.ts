import { describe, expect, it } from 'vitest';
import { admin, asKey } from '../testing/api.ts';
import { useHoldsRig } from '../testing/holds.ts';
import { expectLedgerSound } from '../testing/ledger.ts';

/** Ending a hold: capturing all or part of it, voiding it, and what its state refuses. */
const h = useHoldsRig();
const { place, capture, voidIt, read, walletOf, fundedTenant } = h;

describe('capturing a hold', () => {
  it('captures the whole hold by default: one ledger transaction, held released, balance debited', async () => {
    const tenant = await fundedTenant(30);
    const { hold } = (await place(tenant.tenantKey, { amount: 12, description: 'session' })).body;
    const res = await capture(tenant.tenantKey, hold.id);
    expect(res.status).toBe(200);
    expect(res.body.hold).toMatchObject({ id: hold.id, state: 'captured', amount: 12, captured: 12, captureTransactionId: res.body.transaction.id });
    expect(res.body.transaction).toMatchObject({ kind: 'hold_capture', amount: -12, balanceAfter: 18, reference: `hold:${hold.id}:capture`, description: 'session' });
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 18, held: 0, available: 18 });
    const history = (await asKey(h.purse, tenant.tenantKey, 'GET', '/v1/billing/transactions?limit=1')).body.data;
    expect(history).toEqual([res.body.transaction]);
  });

  it('captures part of a hold and releases the rest in the same transaction', async () => {
    const tenant = await fundedTenant(30);
    const { hold } = (await place(tenant.tenantKey, { amount: 10 })).body;
    await place(tenant.tenantKey, { amount: 5 });
    const res = await capture(tenant.tenantKey, hold.id, { amount: '3.25' });
    expect(res.status).toBe(200);
    expect(res.body.hold).toMatchObject({ state: 'captured', amount: 10, captured: 3.25 });
    expect(res.body.transaction.amount).toBe(-3.25);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 26.75, held: 5, available: 21.75 });
  });

  it('captures a number\'s hold with the number attributed in the ledger', async () => {
    const { hold } = (await place(h.acme.numberKey, { amount: 1 })).body;
    const res = await capture(h.acme.numberKey, hold.id);
    expect(res.body.transaction.numberId).toBe(h.acme.numberId);
  });

  it('answers a repeated capture with the same hold and transaction, moving money once', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 4 })).body;
    const first = await capture(tenant.tenantKey, hold.id, { amount: 3 });
    const again = await capture(tenant.tenantKey, hold.id, { amount: 3 });
    const bare = await capture(tenant.tenantKey, hold.id);
    for (const res of [again, bare]) {
      expect(res.status).toBe(200);
      expect(res.body.hold).toEqual(first.body.hold);
      expect(res.body.transaction).toEqual(first.body.transaction);
    }
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 7, held: 0, available: 7 });
  });

  it('captures a hold even after a clawback took the balance below held: the reservation guaranteed it', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 8 })).body;
    await admin(h.purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: -5, reason: 'refund clawback', allowNegative: true });
    const res = await capture(tenant.tenantKey, hold.id);
    expect(res.status).toBe(200);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: -3, held: 0, available: -3 });
  });
});

describe('refusing a capture', () => {
  it('refuses a capture for another amount once captured with 409 HOLD_NOT_ACTIVE', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 4 })).body;
    await capture(tenant.tenantKey, hold.id, { amount: 3 });
    const res = await capture(tenant.tenantKey, hold.id, { amount: 4 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'Hold is not active', code: 'HOLD_NOT_ACTIVE' });
  });

  it.each([
    ['more than held', '4.01', 400, 'AMOUNT_INVALID'],
    ['zero', 0, 400, 'AMOUNT_INVALID'],
    ['malformed', '1,5', 400, 'AMOUNT_INVALID'],
  ])('refuses a capture of %s with %i %s and leaves the hold held', async (_name, amount, status, code) => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 4 })).body;
    const res = await capture(tenant.tenantKey, hold.id, { amount });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect((await read(tenant.tenantKey, hold.id)).body.state).toBe('held');
    expect((await walletOf(tenant)).held).toBe(4);
  });

  it('refuses a capture body with unknown fields with 400', async () => {
    const { hold } = (await place(h.acme.tenantKey, { amount: 1 })).body;
    expect((await capture(h.acme.tenantKey, hold.id, { amount: 1, force: true })).status).toBe(400);
  });
});

describe('voiding a hold', () => {
  it('voids a hold, releasing its funds; a repeated void is a no-op answered with the hold', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 6 })).body;
    const res = await voidIt(tenant.tenantKey, hold.id);
    expect(res.status).toBe(200);
    expect(res.body.hold).toMatchObject({ state: 'voided', captured: 0 });
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 10, held: 0, available: 10 });
    const again = await voidIt(tenant.tenantKey, hold.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
  });

  it.each([
    ['capture a voided hold', 'void', 'capture'],
    ['void a captured hold', 'capture', 'void'],
  ])('refuses to %s with 409 HOLD_NOT_ACTIVE, changing nothing', async (_name, firstAction, secondAction) => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 6 })).body;
    const act = (action: string) => (action === 'void' ? voidIt(tenant.tenantKey, hold.id) : capture(tenant.tenantKey, hold.id));
    await act(firstAction);
    const before = await walletOf(tenant);
    const res = await act(secondAction);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HOLD_NOT_ACTIVE');
    expect(await walletOf(tenant)).toEqual(before);
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(h.purse);
});
