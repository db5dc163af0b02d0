import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import { PORTAL_SESSION_LIFETIME_MS } from '../portal/open-portal-session.ts';
import { asKey, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { attemptsOf, autoTopupOf, debit, tenantWithAutoTopup } from '../testing/auto-topup.ts';
import { saveCard } from '../testing/cards.ts';
import { fundWallet } from '../testing/ledger.ts';
import { portalBrowser } from '../testing/portal-browser.ts';
import { type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

const RETURN_URL = 'https://app.acme.test/settings';
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ currency: 'USD', env: { STRIPE_AUTOMATIC_TAX: 'false', ALLOWED_REDIRECT_ORIGINS: 'https://app.acme.test' } });
});
afterAll(async () => {
  await rig.close();
});

async function cardsOf(tenant: TestTenant): Promise<Array<{ id: string }>> {
  return (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data;
}

describe('the billing page asks before removing a card', () => {
  it('Remove opens a question on the page; only the confirming post removes the card', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    await saveCard(rig, tenant, '4242424242424242');
    const b = await portalBrowser(rig.purse, tenant);
    const [card] = await cardsOf(tenant);
    const page = String((await b.get('/billing')).body);
    expect(page).toContain(`<form method="get" action="/billing#card-${card!.id}"><input type="hidden" name="remove" value="${card!.id}">`);
    expect(page).not.toContain(`action="/billing/cards/${card!.id}/remove"`);
    const asking = String((await b.get(`/billing?remove=${card!.id}`)).body);
    expect(asking).toContain('Remove Visa ending in 4242? Auto top-up and later payments can no longer use it.');
    expect(asking).toContain(`action="/billing/cards/${card!.id}/remove"`);
    expect(asking).toContain('<a class="button" href="/billing#cards">Keep it');
    expect(await cardsOf(tenant)).toHaveLength(1);
    const removed = await b.post(`/billing/cards/${card!.id}/remove`, { csrf: await b.csrf() });
    expect(removed.headers.location).toBe('/billing?notice=card_removed#cards');
    expect(await cardsOf(tenant)).toHaveLength(0);
  });
});

describe('no dead ends', () => {
  async function linkWithReturn(tenant: TestTenant): Promise<string> {
    return (await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', { returnUrl: RETURN_URL })).body.url as string;
  }

  it('a used link and an ended session link back to the service the session came from', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const link = new URL(await linkWithReturn(tenant));
    const opened = await call(rig.purse, 'GET', `/billing${link.search}`);
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    const reused = await call(rig.purse, 'GET', `/billing${link.search}`);
    expect(reused.status).toBe(410);
    expect(String(reused.body)).toContain(`<a href="${RETURN_URL}" id="notice-back">Back to `);
    rig.sandbox.advanceClock(PORTAL_SESSION_LIFETIME_MS + 1);
    const ended = await call(rig.purse, 'GET', '/billing', { headers: { cookie } });
    expect(ended.status).toBe(401);
    expect(String(ended.body)).toContain('Your billing session has ended');
    expect(String(ended.body)).toContain(`<a href="${RETURN_URL}" id="notice-back">`);
    const posted = await call(rig.purse, 'POST', '/billing/topup', { rawBody: 'amount=10', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(posted.status).toBe(401);
    expect(String(posted.body)).toContain(`<a href="${RETURN_URL}" id="notice-back">`);
  });

  it('an unknown link says so without inventing a way back', async () => {
    const res = await call(rig.purse, 'GET', '/billing?session=nope');
    expect(res.status).toBe(410);
    expect(String(res.body)).not.toContain('notice-back');
  });
});

describe('a reload never posts a form again', () => {
  it('a refused top-up comes back as a GET that shows the refusal each time it is loaded, creating nothing', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await portalBrowser(rig.purse, tenant);
    const posted = await b.post('/billing/topup', { csrf: await b.csrf(), amount: '1.000' });
    expect(posted.status).toBe(303);
    for (let i = 0; i < 2; i++) {
      const page = await b.follow(posted);
      expect(page.status).toBe(200);
      expect(String(page.body)).toContain('This amount can be read two ways: as a thousands separator or as a decimal mark. Type it without thousands separators, such as 1234.50.');
      expect(String(page.body)).toContain('value="1.000"');
    }
    const orders = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', tenant.tenantId).execute();
    expect(orders).toEqual([]);
  });

  it('"$20" and "5.001" on an English page: the sign is dropped, too many decimals are named as such', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const b = await portalBrowser(rig.purse, tenant);
    const ok = await b.post('/billing/topup', { csrf: await b.csrf(), amount: '$20' });
    expect(String(ok.headers.location)).toMatch(/\/c\/pay\/cs_test_/);
    const precise = await b.post('/billing/topup', { csrf: await b.csrf(), amount: '5.001' });
    expect(String((await b.follow(precise)).body)).toContain('Too many decimal places for this currency.');
  });

  it('de-DE: 1.234,50 € is read as written, and the page writes money the German way', async () => {
    const tenant = await tenantWithCardIn('EUR');
    const b = await portalBrowser(rig.purse, tenant);
    const de = { 'accept-language': 'de-DE,de;q=0.9' };
    const saved = await b.post('/billing/auto-topup', { csrf: await b.csrf(), enabled: 'on', threshold: '10', amount: '1.234,50 €' }, de);
    expect(saved.headers.location).toBe('/billing?notice=auto_topup_saved#auto-topup');
    expect(await autoTopupOf(rig, tenant)).toMatchObject({ amount: 1234.5 });
    const page = String((await b.get('/billing', de)).body);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('1.234,50\u00a0€');
    expect(page).toContain('value="1234,5"');
  });
});

async function tenantWithCardIn(currency: string): Promise<TestTenant> {
  const tenant = await setupTenant(rig.purse, currency);
  await saveCard(rig, tenant, '4242424242424242');
  return tenant;
}

describe('back from confirming a paused auto top-up', () => {
  it('says confirming (no second payment offered), then confirmed with the new balance; cancelled says it stays paused', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60, card: '4000002760003184' });
    await debit(rig, tenant, 20);
    await runAutoTopups(rig.purse.ctx);
    const paused = await autoTopupOf(rig, tenant);
    expect(paused).toMatchObject({ state: 'paused', pausedReason: 'authentication_required' });
    const [attempt] = await attemptsOf(rig, tenant);
    const b = await portalBrowser(rig.purse, tenant);

    const cancelled = String((await b.get(`/billing?topup=cancelled&autoTopup=${attempt!.id}`)).body);
    expect(cancelled).toContain('Payment not confirmed');
    expect(cancelled).toContain('id="atu-recovery"');

    const confirming = String((await b.get(`/billing?topup=success&autoTopup=${attempt!.id}`)).body);
    expect(confirming).toContain('Confirming your payment');
    expect(confirming).toContain(`data-poll="autoTopup=${attempt!.id}"`);
    expect(confirming).toContain('Paused until your bank confirms the last payment. There is nothing more to pay.');
    expect(confirming).not.toContain('id="atu-recovery"');
    expect((await b.get(`/billing/status?autoTopup=${attempt!.id}`)).body).toMatchObject({ settled: false });

    rig.sandbox.paySession(sessionIdOf(paused.recoveryUrl as string), { card: '4242424242424242' });
    await rig.sandbox.webhooks.idle();
    expect((await b.get(`/billing/status?autoTopup=${attempt!.id}`)).body).toMatchObject({ state: 'succeeded', settled: true });
    const confirmed = String((await b.get(`/billing?topup=success&autoTopup=${attempt!.id}`)).body);
    expect(confirmed).toContain('Payment confirmed');
    expect(confirmed).toMatch(/US\$\d[\d,.]* was added and auto top-up is on again\. Your balance is now US\$/);
    expect(confirmed).toContain('data-state="active"');

    const stranger = await portalBrowser(rig.purse, await setupTenant(rig.purse, 'USD'));
    expect((await stranger.get(`/billing/status?autoTopup=${attempt!.id}`)).status).toBe(404);
    expect(String((await stranger.get(`/billing?topup=success&autoTopup=${attempt!.id}`)).body)).not.toContain('Payment confirmed');
  });
});

describe('holds are visible', () => {
  it('lists the open holds behind "Reserved", soonest to lapse first, and none once released', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    await fundWallet(rig.purse, tenant.tenantId, 100);
    const b = await portalBrowser(rig.purse, tenant);
    expect(String((await b.get('/billing')).body)).not.toContain('id="holds"');
    const later = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: '7.25', expiresInSeconds: 3600, description: 'Video render #12' });
    const sooner = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: '3', expiresInSeconds: 600 });
    expect([later.status, sooner.status]).toEqual([201, 201]);
    const page = String((await b.get('/billing')).body);
    const order = [...page.matchAll(/data-hold="(hld_[^"]+)"/g)].map((match) => match[1]);
    expect(order).toEqual([sooner.body.hold.id, later.body.hold.id]);
    expect(page).toContain('Video render #12');
    expect(page).toContain('Usage in progress');
    expect(page).toMatch(/<td class="num" data-label="Amount">US\$7\.25<\/td>/);
    await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/holds/${sooner.body.hold.id}/void`, {});
    await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/holds/${later.body.hold.id}/void`, {});
    expect(String((await b.get('/billing')).body)).not.toContain('id="holds"');
  });
});

describe('compressed where it pays', () => {
  it('sends the page brotli- or gzip-compressed as the browser accepts, plain otherwise, Vary naming Accept-Encoding', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const b = await portalBrowser(rig.purse, tenant);
    const plain = await b.get('/billing');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(String(plain.headers.vary)).toContain('accept-encoding');
    const size = Buffer.byteLength(String(plain.body));
    const br = await rig.purse.app.inject({ method: 'GET', url: '/billing', headers: { cookie: b.cookie, 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    const brText = brotliDecompressSync(br.rawPayload).toString('utf8');
    expect(brText).toContain('id="balance"');
    expect(br.rawPayload.length).toBeLessThan(size / 3);
    const gz = await rig.purse.app.inject({ method: 'GET', url: '/billing', headers: { cookie: b.cookie, 'accept-encoding': 'gzip;q=1, br;q=0' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString('utf8')).toContain('id="balance"');
  });
});

describe('system descriptions in the customer\'s language', () => {
  it('pt-BR reads Purse\'s own descriptions translated; a tenant\'s usage description stays as written', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const b = await portalBrowser(rig.purse, tenant);
    const checkout = await b.post('/billing/topup', { csrf: await b.csrf(), preset: '2000' });
    rig.sandbox.paySession(sessionIdOf(String(checkout.headers.location)), { card: '4242424242424242' });
    await rig.sandbox.webhooks.idle();
    const debit = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: '1', description: 'Auto top-up' }, { 'idempotency-key': 'desc-1' });
    expect(debit.status).toBeLessThan(300);
    const page = String((await b.get('/billing', { 'accept-language': 'pt-BR' })).body);
    expect(page).toContain('<td data-label="Descrição">Recarga da carteira (Stripe Checkout)</td>');
    expect(page).toContain('<td data-label="Descrição">Auto top-up</td>');
    expect(String((await b.get('/billing')).body)).toContain('<td data-label="Description">Wallet top-up (Stripe Checkout)</td>');
  });
});

describe('times in the browser\'s time zone', () => {
  it('writes dates in the zone the page\'s script reported (cookie), UTC (said so) without one or with nonsense', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    await fundWallet(rig.purse, tenant.tenantId, 10);
    const b = await portalBrowser(rig.purse, tenant);
    const utc = String((await b.get('/billing')).body);
    expect(utc).toMatch(/<td data-label="Date">[^<]+ UTC<\/td>/);
    const script = /<script src="(\/assets\/time-zone-[0-9a-f]+\.js)"/.exec(utc)?.[1] ?? 'no script tag';
    expect((await rig.purse.app.inject({ method: 'GET', url: script })).body).toContain("document.cookie='purse_tz='");
    const sp = await b.get('/billing', { cookie: `${b.cookie}; purse_tz=America%2FSao_Paulo` });
    expect(sp.status).toBe(200);
    const saoPaulo = String(sp.body);
    expect(saoPaulo).toMatch(/<td data-label="Date">[^<]+ GMT-3<\/td>/);
    const nonsense = String((await b.get('/billing', { cookie: `${b.cookie}; purse_tz=%3Cscript%3E` })).body);
    expect(nonsense).toMatch(/<td data-label="Date">[^<]+ UTC<\/td>/);
  });
});

describe('delayed payments stay in view', () => {
  it('a top-up paid by a delayed method is listed until the bank settles it, then it is credited and gone from the list', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const b = await portalBrowser(rig.purse, tenant);
    const checkout = await b.post('/billing/topup', { csrf: await b.csrf(), preset: '3000' });
    const session = rig.sandbox.paySession(sessionIdOf(String(checkout.headers.location)), { method: 'delayed' });
    await rig.sandbox.webhooks.idle();
    const waiting = String((await b.get('/billing')).body);
    expect(waiting).toContain('Payments on their way');
    expect(waiting).toMatch(/<li data-pending="cto_[0-9A-Z]+">US\$30\.00, paid [^<]+ UTC<\/li>/);
    rig.sandbox.settlePayment(String(session.payment_intent), 'succeeded');
    await rig.sandbox.webhooks.idle();
    const settled = String((await b.get('/billing')).body);
    expect(settled).not.toContain('data-pending=');
    expect(settled).toContain('<dd id="balance">US$30.00</dd>');
  });
});
