import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { type PortalBrowser, portalBrowser } from '../testing/portal-browser.ts';
import { type Rig, sessionIdOf, startRig, walletOf } from '../testing/stripe-rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ env: { STRIPE_AUTOMATIC_TAX: 'false' } });
});
afterAll(async () => {
  await rig.close();
});

/** A customer's browser: opens a portal link, then carries the cookie, as a real one would. */
function browserFor(tenant: TestTenant): Promise<PortalBrowser> {
  return portalBrowser(rig.purse, tenant);
}

async function credit(tenant: TestTenant, amount: string): Promise<void> {
  const res = await admin(rig.purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount, reason: 'goodwill' });
  if (res.status !== 201 && res.status !== 200) throw new Error(`adjustment failed ${res.status} ${JSON.stringify(res.body)}`);
}

describe('the page: credit blocks and amounts', () => {
  it('shows the credit blocks, what expires when, in English and in Portuguese (issue 21)', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    await credit(tenant, '20');
    const expiresAt = new Date(Date.UTC(2031, 6, 1)).toISOString();
    const granted = await admin(rig.purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/credits`, { amount: '5', reason: 'bonus', expiresAt });
    expect(granted.status).toBe(201);
    const browser = await browserFor(tenant);
    const en = (await browser.get('/billing')).body;
    expect(en).toContain('<h2 id="credits-h">Your credit</h2>');
    expect(en).toMatch(new RegExp(`data-credit="${granted.body.id}"><td data-label="Credit">Promotional</td>\\s*<td class="num" data-label="Left">R\\$5.00</td><td data-label="Expires">[^<]*2031`));
    expect(en).toContain('data-label="Expires">Never<');
    const pt = (await browser.get('/billing', { 'accept-language': 'pt-BR' })).body;
    expect(pt).toContain('<h2 id="credits-h">Seus créditos</h2>');
    expect(pt).toContain('data-label="Crédito">Promocional<');
    expect(pt).toContain('data-label="Expira em">Nunca<');
  });

  it('shows balance, held and available in the tenant currency, English by default', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    await credit(tenant, '1234.5');
    await credit(tenant, '-0.05');
    await credit(tenant, '0.05');
    const page = await (await browserFor(tenant)).get('/billing');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['server-timing']).toMatch(/^render;dur=\d+\.\d{2}$/);
    expect(page.body).toMatch(/<html lang="en">/);
    expect(page.body).toContain('id="balance">R$1,234.50<');
    expect(page.body).toContain('id="available">R$1,234.50<');
    expect(page.body).toContain('id="held">R$0.00<');
    expect(page.body).toContain('Auto top-up is off.');
    expect(page.body).toContain('No alert set.');
    expect(page.body).toContain('data-label="Amount">-R$0.05<');
  });
});

describe('the page: currencies, languages and the history', () => {
  it('writes US dollars as US$ in English too, so a bare $ never stands for them', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    await credit(tenant, '1234.5');
    const page = await (await browserFor(tenant)).get('/billing');
    expect(page.body).toContain('id="balance">US$1,234.50<');
    const pt = await (await browserFor(tenant)).get('/billing', { 'accept-language': 'pt-BR' });
    expect(pt.body).toContain('id="balance">US$\u00a01.234,50<');
  });

  it('speaks Portuguese and formats R$ 1.234,50 when the browser asks for pt-BR', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    await credit(tenant, '1234.5');
    const page = await (await browserFor(tenant)).get('/billing', { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' });
    expect(page.body).toMatch(/<html lang="pt-BR">/);
    expect(page.body).toContain('id="balance">R$\u00a01.234,50<');
    expect(page.body).toContain('Recarregar');
    expect(page.body).toContain('Ajuste');
  });

  it('pages the history newest first with an Older link, O(page) by cursor', async () => {
    const tenant = await setupTenant(rig.purse, 'USD');
    for (let i = 1; i <= 22; i++) await credit(tenant, String(i));
    const b = await browserFor(tenant);
    const first = String((await b.get('/billing')).body);
    const rows = first.match(/<tr><td data-label/g) ?? [];
    expect(rows).toHaveLength(20);
    expect(first.indexOf('US$22.00')).toBeLessThan(first.indexOf('US$21.00'));
    const cursor = /href="\/billing\?cursor=([^"]+)" rel="next"/.exec(first)![1]!;
    const second = String((await b.get(`/billing?cursor=${cursor}`)).body);
    expect(second.match(/<tr><td data-label/g)).toHaveLength(2);
    expect(second).toContain('>Newest</a>');
    expect((await b.get('/billing?cursor=garbage')).status).toBe(200);
  });
});

describe('the page without a session', () => {
  it('without a session asks for a link; a return from Checkout without one never says credited', async () => {
    const bare = await call(rig.purse, 'GET', '/billing');
    expect(bare.status).toBe(401);
    const landing = await call(rig.purse, 'GET', '/billing?topup=success&order=cto_01JD8ZQ2X3Y4Z5A6B7C8D9E0F1');
    expect(landing.status).toBe(200);
    expect(landing.body).toContain('Payment submitted');
    expect(landing.body).not.toMatch(/credited to your wallet\b|added to your wallet/);
  });
});

describe('top-up from the page', () => {
  it('a preset creates the order through the checkout service and redirects to Checkout', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await browserFor(tenant);
    const res = await b.post('/billing/topup', { csrf: await b.csrf(), preset: '5000' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/\/c\/pay\/cs_test_/);
    const order = await rig.purse.ctx.store.db.selectFrom('checkout_orders').selectAll().where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(order.amount_minor).toBe(5000n);
    expect(order.success_url).toContain(`/billing?topup=success&order=${order.id}`);
  });

  it('accepts a pt-BR amount "1.234,56"', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await browserFor(tenant);
    const res = await b.post('/billing/topup', { csrf: await b.csrf(), amount: '1.234,56' }, { 'accept-language': 'pt-BR' });
    expect(res.status).toBe(303);
    const order = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('amount_minor').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(order.amount_minor).toBe(123456n);
  });

  it.each([
    ['', 'Enter an amount'],
    ['abc', 'Enter the amount as a number'],
    ['4', 'The smallest top-up is US$5.00.'],
    ['5000.01', 'The largest top-up is US$5,000.00.'],
  ])('refuses %j against the tenant limits with a clear message and no order', async (amount, message) => {
    const tenant = await setupTenant(rig.purse, 'USD');
    const b = await browserFor(tenant);
    const posted = await b.post('/billing/topup', { csrf: await b.csrf(), amount });
    expect(posted.status).toBe(303);
    expect(String(posted.headers.location)).toMatch(/^\/billing\?form=topup&code=[A-Z_]+(&field=\w+)?&amount=[^#]*#topup$/);
    const res = await b.follow(posted);
    expect(res.status).toBe(200);
    expect(res.body).toContain(message);
    expect(res.body).toContain('aria-invalid="true"');
    const orders = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', tenant.tenantId).execute();
    expect(orders).toEqual([]);
  });
});

describe('CSRF and origin', () => {
  it('refuses an action without the token, with a wrong one, or from another origin, and creates nothing', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await browserFor(tenant);
    const token = await b.csrf();
    const attempts = [
      await b.post('/billing/topup', { preset: '5000' }),
      await b.post('/billing/topup', { csrf: token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), preset: '5000' }),
      await b.post('/billing/topup', { csrf: token, preset: '5000' }, { origin: 'https://evil.test' }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403]);
    expect(String(attempts[0]!.body)).toContain('This form has expired');
    const other = await browserFor(await setupTenant(rig.purse, 'BRL'));
    expect((await other.post('/billing/topup', { csrf: token, preset: '5000' })).status).toBe(403);
    const orders = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', tenant.tenantId).execute();
    expect(orders).toEqual([]);
  });

  it('refuses an action after the session ended', async () => {
    const res = await call(rig.purse, 'POST', '/billing/topup', { rawBody: 'preset=5000', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(401);
  });
});

describe('return pages tell the truth', () => {
  it('says processing until the webhook credits, then shows the new balance', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await browserFor(tenant);
    const redirect = await b.post('/billing/topup', { csrf: await b.csrf(), preset: '5000' });
    const order = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    const before = await b.get(`/billing?topup=success&order=${order.id}`);
    expect(before.body).toContain('Payment processing');
    expect(before.body).toContain(`data-poll="order=${order.id}"`);
    expect((await b.get(`/billing/status?order=${order.id}`)).body).toMatchObject({ state: 'open', settled: false });
    rig.sandbox.paySession(sessionIdOf(String(redirect.headers.location)), { card: '4242424242424242' });
    await rig.sandbox.webhooks.idle();
    expect((await b.get(`/billing/status?order=${order.id}`)).body).toMatchObject({ state: 'paid', settled: true });
    const after = await b.get(`/billing?topup=success&order=${order.id}`);
    expect(after.body).toContain('Payment received: R$50.00 was added to your wallet. Your balance is now R$50.00.');
    expect((await walletOf({ ...rig, tenant })).balance).toBe(50);
  });

  it("never reports another tenant's order, and the status endpoint answers it 404", async () => {
    const owner = await setupTenant(rig.purse, 'BRL');
    const ob = await browserFor(owner);
    await ob.post('/billing/topup', { csrf: await ob.csrf(), preset: '5000' });
    const order = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', owner.tenantId).executeTakeFirstOrThrow();
    const stranger = await browserFor(await setupTenant(rig.purse, 'BRL'));
    expect((await stranger.get(`/billing/status?order=${order.id}`)).status).toBe(404);
    expect((await call(rig.purse, 'GET', `/billing/status?order=${order.id}`)).status).toBe(401);
    expect((await stranger.get(`/billing?topup=success&order=${order.id}`)).body).not.toContain('Payment processing');
  });

  it('a cancelled checkout says so and offers Try again for the same amount', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await browserFor(tenant);
    await b.post('/billing/topup', { csrf: await b.csrf(), amount: '12,5' }, { 'accept-language': 'pt-BR' });
    const order = await rig.purse.ctx.store.db.selectFrom('checkout_orders').select('id').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    const page = String((await b.get(`/billing?topup=cancelled&order=${order.id}`)).body);
    expect(page).toContain('Top-up cancelled');
    expect(page).toMatch(/<input type="hidden" name="amount" value="12.5"><button type="submit" class="primary">Try again</);
  });

  it('saving a card lands on "card saved", never on a payment message', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await browserFor(tenant);
    const redirect = await b.post('/billing/cards', { csrf: await b.csrf() });
    expect(redirect.status).toBe(303);
    const order = await rig.purse.ctx.store.db.selectFrom('checkout_orders').selectAll().where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(order.success_url).toContain(`/billing?card=saved&order=${order.id}`);
    rig.sandbox.paySession(sessionIdOf(String(redirect.headers.location)), { card: '4242424242424242' });
    await rig.sandbox.webhooks.idle();
    const page = String((await b.get(`/billing?card=saved&order=${order.id}`)).body);
    expect(page).toContain('Card saved');
    expect(page).toContain('Visa ending in 4242 is saved.');
    expect(page).not.toContain('Payment');
  });
});

describe('cards from the page', () => {
  it('makes a card default and removes one, refusing another tenant\'s card', async () => {
    const tenant = await setupTenant(rig.purse, 'BRL');
    const b = await browserFor(tenant);
    for (const card of ['4242424242424242', '5555555555554444']) {
      const redirect = await b.post('/billing/cards', { csrf: await b.csrf() });
      rig.sandbox.paySession(sessionIdOf(String(redirect.headers.location)), { card });
      rig.sandbox.advanceClock(1_000);
      await rig.sandbox.webhooks.idle();
    }
    const cards = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data as Array<{ id: string; last4: string }>;
    const mastercard = cards.find((c) => c.last4 === '4444')!;
    const made = await b.post(`/billing/cards/${mastercard.id}/default`, { csrf: await b.csrf() });
    expect(made.status).toBe(303);
    expect(made.headers.location).toBe('/billing?notice=default_set#cards');
    const stranger = await browserFor(await setupTenant(rig.purse, 'BRL'));
    const refused = await stranger.post(`/billing/cards/${mastercard.id}/remove`, { csrf: await stranger.csrf() });
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/billing?form=card&code=NOT_FOUND#cards');
    expect((await stranger.follow(refused)).body).toContain('That card is no longer on file.');
    const removed = await b.post(`/billing/cards/${mastercard.id}/remove`, { csrf: await b.csrf() });
    expect(removed.headers.location).toBe('/billing?notice=card_removed#cards');
    const left = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data;
    expect(left).toEqual([expect.objectContaining({ last4: '4242', isDefault: true })]);
  });
});
