import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey, setupTenant, type TestTenant } from '../testing/api.ts';
import { saveCard } from '../testing/cards.ts';
import { type Rig, startRig } from '../testing/stripe-rig.ts';
import { validateAutoTopup } from './validate-config.ts';

let rig: Rig;
let withCard: TestTenant;
beforeAll(async () => {
  rig = await startRig({ currency: 'USD' });
  withCard = await setupTenant(rig.purse, 'USD');
  await saveCard(rig, withCard, '4242424242424242');
});
afterAll(async () => {
  await rig.close();
});

function put(tenant: TestTenant, body: unknown) {
  return asKey(rig.purse, tenant.tenantKey, 'PUT', '/v1/billing/auto-topup', body);
}

const USD_BOUNDS = { minMinor: 500n, maxMinor: 500_000n };

describe('auto top-up settings: reading, enabling and turning off', () => {
  it('reads as off with no settings, and the wallet summary as null, before it is ever configured', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const res = await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/auto-topup');
    expect(res.body).toEqual({
      enabled: false, state: 'off', threshold: null, amount: null, targetBalance: null, monthlyCap: null, currency: 'USD',
      chargedThisMonth: 0, pausedReason: null, recoveryUrl: null, inFlight: null,
    });
    expect((await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body.autoTopup).toBeNull();
  });

  it('enables with a saved card and answers the same shape as GET', async () => {
    const res = await put(withCard, { enabled: true, threshold: '10', amount: 25, monthlyCap: '100.50' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      enabled: true, state: 'active', threshold: 10, amount: 25, targetBalance: null, monthlyCap: 100.5, currency: 'USD',
      chargedThisMonth: 0, pausedReason: null, recoveryUrl: null, inFlight: null,
    });
    expect((await asKey(rig.purse, withCard.tenantKey, 'GET', '/v1/billing/auto-topup')).body).toEqual(res.body);
    expect((await asKey(rig.purse, withCard.tenantKey, 'GET', '/v1/billing/wallet')).body.autoTopup).toEqual({ state: 'active', threshold: 10 });
    const wallet = await rig.purse.ctx.store.db.selectFrom('wallets').select('auto_topup_threshold_minor').where('tenant_id', '=', withCard.tenantId).executeTakeFirstOrThrow();
    expect(wallet.auto_topup_threshold_minor).toBe(1000n);
  });

  it('turns off and disarms the trigger, keeping the settings', async () => {
    const res = await put(withCard, { enabled: false, threshold: 10, targetBalance: 60 });
    expect(res.body).toMatchObject({ enabled: false, state: 'off', threshold: 10, amount: null, targetBalance: 60 });
    const wallet = await rig.purse.ctx.store.db.selectFrom('wallets').select('auto_topup_threshold_minor').where('tenant_id', '=', withCard.tenantId).executeTakeFirstOrThrow();
    expect(wallet.auto_topup_threshold_minor).toBeNull();
  });

  it('refuses to enable without a saved card with 409 NO_PAYMENT_METHOD, writing nothing', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const res = await put(tenant, { enabled: true, threshold: 10, amount: 25 });
    expect(res).toMatchObject({ status: 409, body: { code: 'NO_PAYMENT_METHOD' } });
    expect((await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/auto-topup')).body.state).toBe('off');
  });
});

describe('auto top-up settings: refused input and keys', () => {
  it.each([
    ['both amount and targetBalance', { threshold: 10, amount: 20, targetBalance: 50 }, 'targetBalance', 'VALIDATION_ERROR'],
    ['neither amount nor targetBalance', { threshold: 10 }, 'amount', 'AMOUNT_REQUIRED'],
    ['a negative threshold', { threshold: '-1', amount: 20 }, 'threshold', 'AMOUNT_INVALID'],
    ['a zero threshold', { threshold: 0, amount: 20 }, 'threshold', 'AMOUNT_INVALID'],
    ['a zero amount', { threshold: 10, amount: 0 }, 'amount', 'AMOUNT_INVALID'],
    ['an amount below the top-up minimum', { threshold: 10, amount: '4.99' }, 'amount', 'AMOUNT_BELOW_MINIMUM'],
    ['an amount above the top-up maximum', { threshold: 10, amount: 5000.01 }, 'amount', 'AMOUNT_ABOVE_MAXIMUM'],
    ['too many decimals', { threshold: '10.001', amount: 20 }, 'threshold', 'AMOUNT_INVALID'],
    ['an exponent', { threshold: 10, amount: '1e3' }, 'amount', 'AMOUNT_INVALID'],
    ['a target balance not above the threshold', { threshold: 10, targetBalance: 10 }, 'targetBalance', 'AMOUNT_INVALID'],
    ['a target balance above the largest top-up', { threshold: 10, targetBalance: 6000 }, 'targetBalance', 'AMOUNT_ABOVE_MAXIMUM'],
    ['a monthly cap smaller than one charge', { threshold: 10, amount: 20, monthlyCap: 19 }, 'monthlyCap', 'AMOUNT_BELOW_MINIMUM'],
    ['a negative monthly cap', { threshold: 10, amount: 20, monthlyCap: -5 }, 'monthlyCap', 'AMOUNT_INVALID'],
  ])('answers 400 naming the field for %s', async (_name, fields, field, code) => {
    const res = await put(withCard, { enabled: true, ...fields });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'Validation error', code, details: [expect.objectContaining({ field })] });
  });

  it.each([
    ['enabled as a string', { enabled: 'yes', threshold: 10, amount: 20 }],
    ['threshold as a boolean', { enabled: true, threshold: true, amount: 20 }],
    ['an unknown field', { enabled: true, threshold: 10, amount: 20, currency: 'EUR' }],
    ['no threshold', { enabled: true, amount: 20 }],
  ])('answers 400 for %s', async (_name, body) => {
    const res = await put(withCard, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it('refuses number-scoped keys', async () => {
    const res = await asKey(rig.purse, withCard.numberKey, 'PUT', '/v1/billing/auto-topup', { enabled: true, threshold: 10, amount: 20 });
    expect(res.body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
  });
});

describe('auto top-up attempts list', () => {
  it('lists only the tenant’s own attempts and refuses a forged cursor', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const res = await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/auto-topup/attempts');
    expect(res.body).toEqual({ data: [], nextCursor: null });
    const forged = await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/auto-topup/attempts?cursor=bm90LWFuLWlk');
    expect(forged).toMatchObject({ status: 400, body: { code: 'CURSOR_INVALID' } });
  });
});

describe('validateAutoTopup', () => {
  it('keeps exact minor units', () => {
    expect(validateAutoTopup({ enabled: true, threshold: '10.05', targetBalance: '100.10', monthlyCap: 300 }, 'USD', USD_BOUNDS))
      .toEqual({ enabled: true, thresholdMinor: 1005n, amountMinor: null, targetBalanceMinor: 10010n, monthlyCapMinor: 30000n });
  });
});
