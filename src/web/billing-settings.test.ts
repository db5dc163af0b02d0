import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import { asKey, setupTenant, type TestTenant } from '../testing/api.ts';
import { autoTopupOf, debit, tenantWithAutoTopup } from '../testing/auto-topup.ts';
import { saveCard } from '../testing/cards.ts';
import { fundWallet } from '../testing/ledger.ts';
import { type PortalBrowser, portalBrowser } from '../testing/portal-browser.ts';
import { type Rig, startRig } from '../testing/stripe-rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ env: { STRIPE_AUTOMATIC_TAX: 'false' } });
});
afterAll(async () => {
  await rig.close();
});

function browserFor(tenant: TestTenant): Promise<PortalBrowser> {
  return portalBrowser(rig.purse, tenant);
}

async function tenantWithCard(currency = 'USD'): Promise<TestTenant> {
  const tenant = await setupTenant(rig.purse, currency);
  await saveCard(rig, tenant, '4242424242424242');
  return tenant;
}

async function alertsOf(tenant: TestTenant) {
  return (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/alerts')).body;
}

const HOUR_SECONDS = 60 * 60;
const NEVER_CONFIGURED = { enabled: false, state: 'off', threshold: null, amount: null, targetBalance: null, monthlyCap: null };

describe('auto top-up from the page: saving', () => {
  it('saves through the API\'s service: pt-BR text in minor units, GET /v1/billing/auto-topup agrees, the page shows it', async () => {
    const tenant = await tenantWithCard('BRL');
    const b = await browserFor(tenant);
    const pt = { 'accept-language': 'pt-BR' };
    const res = await b.post('/billing/auto-topup', { csrf: await b.csrf(), enabled: 'on', threshold: '10,5', amount: '1.234,56', targetBalance: '', monthlyCap: '5.000' }, pt);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/billing?notice=auto_topup_saved#auto-topup');
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ enabled: true, state: 'active', threshold: 10.5, amount: 1234.56, targetBalance: null, monthlyCap: 5000 });
    const page = String((await b.get('/billing?notice=auto_topup_saved', pt)).body);
    expect(page).toContain('Configurações da recarga automática salvas.');
    expect(page).toContain('id="atu-threshold" name="threshold" inputmode="decimal" autocomplete="off" value="10,5"');
    expect(page).toContain('value="1234,56"');
    expect(page).toContain('value="5000"');
    expect(page).toMatch(/id="atu-enabled" name="enabled" value="on" checked/);
    expect(page).toContain('Ligada: quando seu saldo disponível ficar abaixo de R$\u00a010,50, R$\u00a01.234,56 é cobrado no seu cartão padrão.');
  });

  it('turns it off and back on with a target balance instead of an amount', async () => {
    const tenant = await tenantWithCard();
    const b = await browserFor(tenant);
    await b.post('/billing/auto-topup', { csrf: await b.csrf(), enabled: 'on', threshold: '10', amount: '20' });
    const off = await b.post('/billing/auto-topup', { csrf: await b.csrf(), threshold: '10', amount: '20' });
    expect(off.status).toBe(303);
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ enabled: false, state: 'off', threshold: 10, amount: 20 });
    expect(String((await b.get('/billing')).body)).toContain('Auto top-up is off.');
    await b.post('/billing/auto-topup', { csrf: await b.csrf(), enabled: 'on', threshold: '10', amount: '', targetBalance: '100' });
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'active', amount: null, targetBalance: 100, monthlyCap: null });
    expect(String((await b.get('/billing')).body)).toContain('your default card is charged what brings it back to US$100.00.');
  });

  it('without a card says a card is needed, and enabling is refused with NO_PAYMENT_METHOD\'s message', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const b = await browserFor(tenant);
    expect(String((await b.get('/billing')).body)).toContain('Auto top-up charges your default card, and no card is saved.');
    const posted = await b.post('/billing/auto-topup', { csrf: await b.csrf(), enabled: 'on', threshold: '10', amount: '20' });
    expect(posted.status).toBe(303);
    const res = await b.follow(posted);
    expect(res.body).toContain('Auto top-up needs a saved card.');
    expect(res.body).toContain('value="20"');
    expect(await autoTopupOf(rig, tenant)).toMatchObject(NEVER_CONFIGURED);
  });
});

describe('auto top-up from the page: refusing a bad value', () => {
  it.each([
    ['threshold', { threshold: '', amount: '20' }, 'Threshold: enter an amount.'],
    ['threshold', { threshold: '0', amount: '20' }, 'Threshold: must be more than zero.'],
    ['amount', { threshold: '10', amount: 'abc' }, 'Top-up amount: enter the amount as a number, such as 50 or 50.25.'],
    ['amount', { threshold: '10', amount: '4' }, 'Top-up amount: must be at least US$5.00.'],
    ['amount', { threshold: '10', amount: '5000.01' }, 'Top-up amount: must be at most US$5,000.00.'],
    ['amount', { threshold: '10', amount: '20.001' }, 'Top-up amount: too many decimal places for this currency.'],
    ['amount', { threshold: '10' }, 'Top-up amount: enter an amount, or fill in Target balance instead.'],
    ['targetBalance', { threshold: '10', amount: '20', targetBalance: '50' }, 'Fill in Top-up amount or Target balance, not both.'],
    ['targetBalance', { threshold: '10', targetBalance: '10' }, 'Target balance: must be above the threshold.'],
    ['monthlyCap', { threshold: '10', amount: '20', monthlyCap: '15' }, 'Monthly cap: must allow at least one top-up (US$20.00).'],
  ])('refuses a bad %s, names it, keeps what was typed, saves nothing', async (field, form, message) => {
    const tenant = await tenantWithCard();
    const b = await browserFor(tenant);
    const posted = await b.post('/billing/auto-topup', { csrf: await b.csrf(), enabled: 'on', ...form });
    expect(posted.status).toBe(303);
    expect(String(posted.headers.location)).toMatch(/^\/billing\?form=auto_topup&code=[A-Z_]+&field=\w+&.*#auto-topup$/);
    const res = await b.follow(posted);
    expect(res.status).toBe(200);
    expect(res.body).toContain(message);
    const id = { threshold: 'atu-threshold', amount: 'atu-amount', targetBalance: 'atu-target', monthlyCap: 'atu-cap' }[field]!;
    expect(res.body).toMatch(new RegExp(`id="${id}" name="${field}"[^>]*aria-describedby="${id}-error ${id}-hint" aria-invalid="true"`));
    expect(await autoTopupOf(rig, tenant)).toMatchObject(NEVER_CONFIGURED);
  });
});

describe('auto top-up from the page: paused or turned off', () => {
  it('when paused for authentication shows why and links to the payment that recovers it', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, card: '4000002760003184' });
    await debit(rig, tenant, 20);
    await runAutoTopups(rig.purse.ctx);
    const paused = await autoTopupOf(rig, tenant);
    expect(paused).toMatchObject({ state: 'paused', pausedReason: 'authentication_required' });
    const page = String((await (await browserFor(tenant)).get('/billing')).body);
    expect(page).toContain('data-state="paused"');
    expect(page).toContain('Paused: your bank asked you to confirm the last automatic payment.');
    expect(page).toContain(`<a href="${paused.recoveryUrl}" id="atu-recovery">Confirm the payment</a>`);
  });

  it('removing the last card from the page pauses auto top-up, and the page says a card is needed', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    const b = await browserFor(tenant);
    const card = /name="remove" value="([^"]+)"/.exec(String((await b.get('/billing')).body))![1]!;
    expect((await b.post(`/billing/cards/${card}/remove`, { csrf: await b.csrf() })).status).toBe(303);
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'paused', pausedReason: 'no_payment_method' });
    const page = String((await b.get('/billing')).body);
    expect(page).toContain('Paused: there is no card to charge. Add a card, then save these settings to turn auto top-up back on.');
    expect(page).toContain('Auto top-up charges your default card, and no card is saved.');
  });

  it('after three failed retries says auto top-up was turned off, and saving turns it back on', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, card: '4000000000000341' });
    await debit(rig, tenant, 20);
    await runAutoTopups(rig.purse.ctx);
    for (const hours of [1, 6, 24]) {
      rig.sandbox.clock.advance(hours * HOUR_SECONDS);
      await runAutoTopups(rig.purse.ctx);
    }
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'disabled' });
    const b = await browserFor(tenant);
    const page = String((await b.get('/billing')).body);
    expect(page).toContain('data-state="disabled"');
    expect(page).toContain('Turned off after repeated declined payments.');
    expect(page).toMatch(/name="enabled" value="on" checked/);
    await b.post('/billing/auto-topup', { csrf: await b.csrf(), enabled: 'on', threshold: '50', amount: '20' });
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ state: 'active', pausedReason: null });
  });
});

describe('low-balance alert from the page', () => {
  it('saves through the alerts service, shows the value, and an empty field removes it', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    await fundWallet(rig.purse, tenant.tenantId, 100);
    const b = await browserFor(tenant);
    const saved = await b.post('/billing/alerts', { csrf: await b.csrf(), lowBalance: '12,34' }, { 'accept-language': 'pt-BR' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/billing?notice=alert_saved#low-balance');
    expect(await alertsOf(tenant)).toEqual({ lowBalance: 12.34 });
    const page = String((await b.get('/billing?notice=alert_saved')).body);
    expect(page).toContain('Low-balance alert saved.');
    expect(page).toContain('Alert set: below R$12.34.');
    expect(page).toContain('id="alert-low" name="lowBalance" inputmode="decimal" autocomplete="off" value="12.34"');
    await b.post('/billing/alerts', { csrf: await b.csrf(), lowBalance: '' });
    expect(await alertsOf(tenant)).toEqual({ lowBalance: null });
    expect(String((await b.get('/billing')).body)).toContain('No alert set.');
  });

  it('refuses a bad value, naming the field, and keeps the old one', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const b = await browserFor(tenant);
    await b.post('/billing/alerts', { csrf: await b.csrf(), lowBalance: '5' });
    const posted = await b.post('/billing/alerts', { csrf: await b.csrf(), lowBalance: 'lots' });
    expect(posted.status).toBe(303);
    const res = await b.follow(posted);
    expect(res.body).toContain('Alert below: enter the amount as a number, such as 50 or 50.25.');
    expect(res.body).toContain('value="lots"');
    expect(await alertsOf(tenant)).toEqual({ lowBalance: 5 });
  });
});

describe('CSRF and tenant isolation on the settings forms', () => {
  const forms: Array<[string, Record<string, string>]> = [
    ['/billing/auto-topup', { enabled: 'on', threshold: '10', amount: '20' }],
    ['/billing/alerts', { lowBalance: '10' }],
  ];

  it.each(forms)('%s refuses a missing or wrong token and another origin, and changes nothing', async (path, form) => {
    const tenant = await tenantWithCard();
    const b = await browserFor(tenant);
    const token = await b.csrf();
    const refused = [
      await b.post(path, form),
      await b.post(path, { ...form, csrf: token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }),
      await b.post(path, { ...form, csrf: token }, { origin: 'https://evil.test' }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(String(refused[0]!.body)).toContain('This form has expired');
    expect(await autoTopupOf(rig, tenant)).toMatchObject(NEVER_CONFIGURED);
    expect(await alertsOf(tenant)).toEqual({ lowBalance: null });
  });

  it.each(forms)('%s: a session for tenant A changes only A; A\'s token on B\'s session is refused', async (path, form) => {
    const [a, other] = [await tenantWithCard(), await tenantWithCard()];
    const [ba, bb] = [await browserFor(a), await browserFor(other)];
    expect((await bb.post(path, { ...form, csrf: await ba.csrf() })).status).toBe(403);
    expect((await ba.post(path, { ...form, csrf: await ba.csrf() })).status).toBe(303);
    expect(await autoTopupOf(rig, other)).toMatchObject(NEVER_CONFIGURED);
    expect(await alertsOf(other)).toEqual({ lowBalance: null });
    const mine = path === '/billing/alerts' ? await alertsOf(a) : await autoTopupOf(rig, a);
    expect(mine).toMatchObject(path === '/billing/alerts' ? { lowBalance: 10 } : { state: 'active', threshold: 10 });
  });
});
