import { describe, expect, it } from 'vitest';
import { asKey, setupTenant } from '../testing/api.ts';
import { DEFAULT_EXPIRES_SECONDS, MAX_EXPIRES_SECONDS, SECOND_MS, useHoldsRig } from '../testing/holds.ts';
import { expectLedgerSound } from '../testing/ledger.ts';

/** Placing a hold (POST /v1/billing/holds): what it reserves, idempotency, number attribution, and refusals. */
const h = useHoldsRig();
const { place, read, walletOf, fundedTenant } = h;

describe('placing a hold', () => {
  it('moves the amount from available to held and answers 201 with the hold and the wallet', async () => {
    const tenant = await fundedTenant(50);
    const res = await place(tenant.tenantKey, { amount: '20.5', description: 'call', metadata: { callId: 'c1' } });
    expect(res.status).toBe(201);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 50, held: 20.5, available: 29.5 });
    expect(res.body.hold).toEqual({
      id: expect.stringMatching(/^hld_[0-9A-Z]{26}$/), state: 'held', amount: 20.5, captured: 0, currency: 'BRL', numberId: null,
      description: 'call', metadata: { callId: 'c1' }, captureTransactionId: null,
      expiresAt: new Date(h.nowMs() + DEFAULT_EXPIRES_SECONDS * SECOND_MS).toISOString(),
      createdAt: new Date(h.nowMs()).toISOString(), updatedAt: new Date(h.nowMs()).toISOString(),
    });
    expect(await walletOf(tenant)).toEqual(res.body.wallet);
    expect((await read(tenant.tenantKey, res.body.hold.id)).body).toEqual(res.body.hold);
    // A reservation is not a money movement: the history is the funding alone.
    expect((await asKey(h.purse, tenant.tenantKey, 'GET', '/v1/billing/transactions')).body.data).toHaveLength(1);
  });

  it('honours an Idempotency-Key: the same request gets the first hold with 200, reserved once', async () => {
    const tenant = await fundedTenant(10);
    const first = await place(tenant.tenantKey, { amount: 10, expiresInSeconds: 60 }, 'hold-1');
    const again = await place(tenant.tenantKey, { expiresInSeconds: 60, amount: '10' }, 'hold-1');
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.hold).toEqual(first.body.hold);
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 10, available: 0 });
  });

  it('without an Idempotency-Key, places a new hold each time', async () => {
    const tenant = await fundedTenant(10);
    const [a, b] = [await place(tenant.tenantKey, { amount: 1 }), await place(tenant.tenantKey, { amount: 1 })];
    expect(a.body.hold.id).not.toBe(b.body.hold.id);
    expect((await walletOf(tenant)).held).toBe(2);
  });

  it('attributes a number key\'s hold to its number, and lets a tenant key name one of its numbers', async () => {
    const byNumberKey = await place(h.acme.numberKey, { amount: 1 });
    expect(byNumberKey.body.hold.numberId).toBe(h.acme.numberId);
    const byTenantKey = await place(h.acme.tenantKey, { amount: 1, numberId: h.acme.numberId });
    expect(byTenantKey.body.hold.numberId).toBe(h.acme.numberId);
  });

  it('accepts the maximum lifetime exactly', async () => {
    const res = await place(h.acme.tenantKey, { amount: 1, expiresInSeconds: MAX_EXPIRES_SECONDS });
    expect(res.body.hold.expiresAt).toBe(new Date(h.nowMs() + MAX_EXPIRES_SECONDS * SECOND_MS).toISOString());
  });
});

describe('refusing a hold', () => {
  it('refuses a hold larger than the available balance with 402 and reserves nothing', async () => {
    const tenant = await fundedTenant(10);
    expect((await place(tenant.tenantKey, { amount: 6 })).status).toBe(201);
    const res = await place(tenant.tenantKey, { amount: '4.01' });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({ error: 'Insufficient funds', code: 'INSUFFICIENT_FUNDS' });
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 6, available: 4 });
  });

  it.each([
    ['a different amount', { amount: 2 }],
    ['a different lifetime', { amount: 1, expiresInSeconds: 61 }],
    ['a different description', { amount: 1, description: 'x' }],
    ['different metadata', { amount: 1, metadata: { a: 'b' } }],
  ])('answers 409 IDEMPOTENCY_KEY_REUSED when the key comes back with %s', async (_name, body) => {
    const tenant = await fundedTenant(10);
    expect((await place(tenant.tenantKey, { amount: 1 }, 'key')).status).toBe(201);
    const res = await place(tenant.tenantKey, body, 'key');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await walletOf(tenant)).held).toBe(1);
  });

  it('refuses a number key naming another number (403) and a tenant key naming a foreign one (404)', async () => {
    const other = await setupTenant(h.purse);
    const byNumberKey = await place(h.acme.numberKey, { amount: 1, numberId: other.numberId });
    expect(byNumberKey.status).toBe(403);
    expect(byNumberKey.body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    const byTenantKey = await place(h.acme.tenantKey, { amount: 1, numberId: other.numberId });
    expect(byTenantKey.status).toBe(404);
  });

  it.each([
    ['no amount', {}, 'AMOUNT_REQUIRED'],
    ['a zero amount', { amount: 0 }, 'AMOUNT_INVALID'],
    ['too many decimals', { amount: '0.001' }, 'AMOUNT_INVALID'],
    ['an exponent', { amount: '1e2' }, 'AMOUNT_INVALID'],
    ['a lifetime of 0', { amount: 1, expiresInSeconds: 0 }, 'VALIDATION_ERROR'],
    ['a lifetime above the maximum', { amount: 1, expiresInSeconds: MAX_EXPIRES_SECONDS + 1 }, 'VALIDATION_ERROR'],
    ['a fractional lifetime', { amount: 1, expiresInSeconds: 1.5 }, 'VALIDATION_ERROR'],
    ['a lifetime as a string', { amount: 1, expiresInSeconds: '60' }, 'VALIDATION_ERROR'],
    ['an unknown field', { amount: 1, capture: true }, 'VALIDATION_ERROR'],
    ['a malformed numberId', { amount: 1, numberId: 'x' }, 'VALIDATION_ERROR'],
    ['a long description', { amount: 1, description: 'd'.repeat(501) }, 'VALIDATION_ERROR'],
  ])('refuses %s with 400 %s and reserves nothing', async (_name, body, code) => {
    const before = await walletOf(h.acme);
    const res = await place(h.acme.tenantKey, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(await walletOf(h.acme)).toEqual(before);
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(h.purse);
});
