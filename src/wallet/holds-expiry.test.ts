import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/config.ts';
import type { TestTenant } from '../testing/api.ts';
import { DEFAULT_EXPIRES_SECONDS, SECOND_MS, useHoldsRig } from '../testing/holds.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { expireHolds } from './expire-holds.ts';

/** A hold's lifetime: the expiry job, the clock releasing funds before the job runs, and the configured bounds. */
const h = useHoldsRig();
const { place, capture, voidIt, read, walletOf, fundedTenant, usage } = h;

describe('hold expiry', () => {
  it('the job expires a hold at its expiry and releases the funds; capture and void then answer 409', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 7, expiresInSeconds: 60 })).body;
    h.advanceMs(59 * SECOND_MS);
    await expireHolds(h.purse.ctx);
    expect((await read(tenant.tenantKey, hold.id)).body.state).toBe('held');
    h.advanceMs(1 * SECOND_MS);
    expect(await expireHolds(h.purse.ctx)).toBeGreaterThanOrEqual(1);
    expect((await read(tenant.tenantKey, hold.id)).body).toMatchObject({ state: 'expired', captured: 0, updatedAt: new Date(h.nowMs()).toISOString() });
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 0, available: 10 });
    for (const res of [await capture(tenant.tenantKey, hold.id), await voidIt(tenant.tenantKey, hold.id)]) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('HOLD_NOT_ACTIVE');
    }
    expect(await expireHolds(h.purse.ctx)).toBe(0);
  });

  it('a hold past its expiry reserves nothing even before the job runs: the wallet and the hold read so', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 7, expiresInSeconds: 30 })).body;
    h.advanceMs(30 * SECOND_MS);
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 0, available: 10 });
    expect((await read(tenant.tenantKey, hold.id)).body.state).toBe('expired');
  });

  it.each([['capture'], ['void']])('refuses to %s a hold expired by the clock before the job reached it, and releases its funds', async (action) => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 7, expiresInSeconds: 30 })).body;
    h.advanceMs(31 * SECOND_MS);
    const res = action === 'capture' ? await capture(tenant.tenantKey, hold.id) : await voidIt(tenant.tenantKey, hold.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HOLD_NOT_ACTIVE');
    const stored = await h.purse.ctx.store.db.selectFrom('holds').select('state').where('id', '=', hold.id).executeTakeFirstOrThrow();
    expect(stored.state).toBe('expired');
    const wallet = await h.purse.ctx.store.db.selectFrom('wallets').select(['balance_minor', 'held_minor']).where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(wallet).toEqual({ balance_minor: 1000n, held_minor: 0n });
  });

  it.each([
    ['a debit', (t: TestTenant) => usage(t.tenantKey, 10)],
    ['a new hold', (t: TestTenant) => place(t.tenantKey, { amount: 10 })],
  ])('lets %s use funds of a lapsed hold the job has not released yet', async (_name, spend) => {
    const tenant = await fundedTenant(10);
    await place(tenant.tenantKey, { amount: 10, expiresInSeconds: 5 });
    expect((await usage(tenant.tenantKey, 1)).status).toBe(402);
    h.advanceMs(5 * SECOND_MS);
    expect((await spend(tenant)).status).toBe(201);
  });

  it('uses the configured default lifetime when none is given', async () => {
    const { hold } = (await place(h.acme.tenantKey, { amount: 1 })).body;
    expect(Date.parse(hold.expiresAt) - Date.parse(hold.createdAt)).toBe(DEFAULT_EXPIRES_SECONDS * SECOND_MS);
  });
});

describe('hold lifetime configuration', () => {
  it('defaults to 15 minutes, at most 7 days', () => {
    const config = parseConfig({});
    expect([config.holdExpiresSecondsDefault, config.holdExpiresSecondsMax]).toEqual([900, 7 * 24 * 60 * 60]);
  });

  it.each([
    ['a default above the maximum', { HOLD_EXPIRES_SECONDS_DEFAULT: '120', HOLD_EXPIRES_SECONDS_MAX: '60' }, 'HOLD_EXPIRES_SECONDS_DEFAULT'],
    ['a zero maximum', { HOLD_EXPIRES_SECONDS_MAX: '0' }, 'HOLD_EXPIRES_SECONDS_MAX'],
    ['a non-integer default', { HOLD_EXPIRES_SECONDS_DEFAULT: '1.5' }, 'HOLD_EXPIRES_SECONDS_DEFAULT'],
  ])('refuses %s, naming the variable', (_name, env, variable) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(variable);
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(h.purse);
});
