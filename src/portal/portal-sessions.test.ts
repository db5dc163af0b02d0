import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asKey, call, setupTenant } from '../testing/api.ts';
import { type Rig, startRig } from '../testing/stripe-rig.ts';
import { PORTAL_LINK_LIFETIME_MS } from './create-portal-session.ts';
import { PORTAL_SESSION_LIFETIME_MS } from './open-portal-session.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ env: { PUBLIC_URL: 'http://billing.test:8080', ALLOWED_REDIRECT_ORIGINS: 'https://app.acme.test' } });
});
afterAll(async () => {
  await rig.close();
});

function tokenOf(url: string): string {
  return new URL(url).searchParams.get('session')!;
}

async function open(url: string) {
  return call(rig.purse, 'GET', `/billing?session=${encodeURIComponent(tokenOf(url))}`);
}

describe('creating a portal session', () => {
  it('admin: answers 201 with a PUBLIC_URL link valid for one hour', async () => {
    const res = await admin(rig.purse, 'POST', `/v1/admin/tenants/${rig.tenant.tenantId}/portal-sessions`, { returnUrl: 'https://app.acme.test/settings' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'url']);
    expect(res.body.url).toMatch(/^http:\/\/billing\.test:8080\/billing\?session=[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(res.body.expiresAt)).toBe(rig.sandbox.clock.nowMs() + PORTAL_LINK_LIFETIME_MS);
  });

  it('tenant key: answers 201 for its own tenant; without a body too', async () => {
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
    expect(res.status).toBe(201);
    const bare = await call(rig.purse, 'POST', '/v1/billing/portal-sessions', { headers: { 'x-api-key': rig.tenant.tenantKey } });
    expect(bare.status).toBe(201);
  });

  it('refuses a number key, no key, an unknown tenant, and a returnUrl off the allow-list', async () => {
    expect((await asKey(rig.purse, rig.tenant.numberKey, 'POST', '/v1/billing/portal-sessions', {})).body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    expect((await call(rig.purse, 'POST', '/v1/billing/portal-sessions', { body: {} })).status).toBe(401);
    expect((await admin(rig.purse, 'POST', '/v1/admin/tenants/ten_nope/portal-sessions', {})).body.code).toBe('NOT_FOUND');
    const evil = await admin(rig.purse, 'POST', `/v1/admin/tenants/${rig.tenant.tenantId}/portal-sessions`, { returnUrl: 'https://evil.test/' });
    expect(evil.status).toBe(400);
    expect(evil.body.code).toBe('URL_NOT_ALLOWED');
    const extra = await admin(rig.purse, 'POST', `/v1/admin/tenants/${rig.tenant.tenantId}/portal-sessions`, { tenantId: 'x' });
    expect(extra.status).toBe(400);
  });

  it('stores only a hash of the link token and never logs it', async () => {
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
    const token = tokenOf(res.body.url);
    await open(res.body.url);
    const rows = await rig.purse.ctx.store.db.selectFrom('portal_sessions').selectAll().execute();
    expect(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(token);
    expect(rig.purse.logs()).not.toContain(token);
  });
});

describe('opening the link', () => {
  it('sets an httpOnly SameSite=Lax cookie for /billing and drops the token from the URL', async () => {
    const link = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
    const res = await open(link.body.url);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/billing');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^purse_billing=[A-Za-z0-9_-]{43}; Path=\/billing; Max-Age=3600; HttpOnly; SameSite=Lax$/);
    const page = await call(rig.purse, 'GET', '/billing', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Billing for Acme');
  });

  it('works once: a second opening shows the invalid-link page and no cookie', async () => {
    const link = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
    const [first, second] = await Promise.all([open(link.body.url), open(link.body.url)]);
    expect([first.status, second.status].sort()).toEqual([303, 410]);
    const loser = first.status === 410 ? first : second;
    expect(loser.headers['set-cookie']).toBeUndefined();
    expect(loser.body).toContain('This billing link is no longer valid');
  });

  it('refuses an expired link and an unknown token with the same clear page', async () => {
    const link = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
    rig.sandbox.advanceClock(PORTAL_LINK_LIFETIME_MS + 1);
    const expired = await open(link.body.url);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('Nothing was charged');
    expect((await call(rig.purse, 'GET', '/billing?session=not-a-token')).status).toBe(410);
  });

  it('ends the browser session after its lifetime', async () => {
    const link = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
    const cookie = String((await open(link.body.url)).headers['set-cookie']).split(';')[0]!;
    rig.sandbox.advanceClock(PORTAL_SESSION_LIFETIME_MS + 1);
    const page = await call(rig.purse, 'GET', '/billing', { headers: { cookie } });
    expect(page.status).toBe(401);
    expect(page.body).toContain('Your billing session has ended');
  });

  it('one tenant only: a session never shows another tenant, and a disabled tenant loses its session', async () => {
    const other = await setupTenant(rig.purse, 'USD');
    const link = await asKey(rig.purse, other.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
    const cookie = String((await open(link.body.url)).headers['set-cookie']).split(';')[0]!;
    const page = await call(rig.purse, 'GET', '/billing', { headers: { cookie } });
    expect(page.body).toContain('$0.00');
    expect(page.body).not.toContain('R$');
    await admin(rig.purse, 'POST', `/v1/admin/tenants/${other.tenantId}/disable`);
    expect((await call(rig.purse, 'GET', '/billing', { headers: { cookie } })).status).toBe(401);
    expect((await admin(rig.purse, 'POST', `/v1/admin/tenants/${other.tenantId}/portal-sessions`, {})).body.code).toBe('TENANT_DISABLED');
  });
});
