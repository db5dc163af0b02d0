import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, call, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { TEST_OPERATOR_PASSWORD, consoleBrowser, cookieOf, createTestOperator, formPost, postLogin } from '../testing/console.ts';
import { createOperator } from '../operators/manage-operators.ts';
import { formatMoney } from '../i18n/locale.ts';
import { LOGIN_FAILURES_MAX, LOGIN_LOCK_MS, SESSION_IDLE_TIMEOUT_MS } from '../operators/sessions.ts';

let purse: TestPurse;
let tenant: TestTenant;
let clockMs = Date.UTC(2026, 11, 6, 12);

beforeAll(async () => {
  purse = await startTestPurse({}, { nowMs: () => clockMs });
  tenant = await setupTenant(purse);
  await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: '100', reason: 'opening balance' });
});
afterAll(async () => purse.close());

async function balanceMinor(): Promise<bigint> {
  const row = await purse.ctx.store.db.selectFrom('wallets').select('balance_minor').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
  return BigInt(row.balance_minor);
}

async function auditCount(): Promise<number> {
  return (await purse.ctx.store.db.selectFrom('audit_log').select('id').execute()).length;
}

describe('operator console security: no session, login cookies and CSRF', () => {
  it('serves no page and runs no action without a session', async () => {
    for (const path of ['/admin', '/admin/tenants', `/admin/tenants/${tenant.tenantId}`, '/admin/deliveries', '/admin/inbox', '/admin/audit', '/admin/operators']) {
      const res = await call(purse, 'GET', path);
      expect(res.status, path).toBe(303);
      expect(res.headers.location).toBe('/admin/login');
    }
    const before = await balanceMinor();
    const res = await formPost(purse, `/admin/tenants/${tenant.tenantId}/adjust`, { amount: '5', reason: 'x', reference: '01JD8ZQ2X3Y4Z5A6B7C8D9E0F1' });
    expect(res.status).toBe(401);
    expect(await balanceMinor()).toBe(before);
  });

  it('sets a new HttpOnly SameSite=Strict cookie at every login and ends the session the browser came with', async () => {
    const email = await createTestOperator(purse, 'viewer');
    const first = cookieOf(await postLogin(purse, email, TEST_OPERATOR_PASSWORD), 'purse_console')!;
    const login = await postLogin(purse, email, TEST_OPERATOR_PASSWORD, first);
    const header = [login.headers['set-cookie']].flat().join('\n');
    expect(header).toMatch(/purse_console=[^;]+; Path=\/admin; Max-Age=1800; HttpOnly; SameSite=Strict/);
    const second = cookieOf(login, 'purse_console')!;
    expect(second).not.toBe(first);
    expect((await call(purse, 'GET', '/admin', { headers: { cookie: first } })).status).toBe(303);
    expect((await call(purse, 'GET', '/admin', { headers: { cookie: second } })).status).toBe(200);
    const stored = await purse.ctx.store.db.selectFrom('operator_sessions').select('cookie_hash').execute();
    expect(stored.map((s) => s.cookie_hash)).not.toContain(second.split('=')[1]);
  });

  it('refuses a form with a missing or wrong CSRF token (403 CSRF_INVALID) and writes nothing', async () => {
    const owner = await consoleBrowser(purse, 'owner');
    const otherSessionsToken = await (await consoleBrowser(purse, 'owner')).csrf();
    const before = await balanceMinor();
    const audits = await auditCount();
    for (const csrf of [undefined, 'wrong', otherSessionsToken]) {
      const form: Record<string, string> = { amount: '5', reason: 'csrf probe', reference: '01JD8ZQ2X3Y4Z5A6B7C8D9E0F2', ...(csrf ? { csrf } : {}) };
      const res = await owner.post(`/admin/tenants/${tenant.tenantId}/adjust`, form);
      expect(res.status).toBe(403);
      expect(String(res.body)).toContain('data-code="CSRF_INVALID"');
    }
    const foreign = await owner.post(`/admin/tenants/${tenant.tenantId}/adjust`, { csrf: await owner.csrf(), amount: '5', reason: 'x', reference: '01JD8ZQ2X3Y4Z5A6B7C8D9E0F3' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const login = await formPost(purse, '/admin/login', { email: owner.email, password: TEST_OPERATOR_PASSWORD });
    expect(login.status).toBe(403);
    expect(await balanceMinor()).toBe(before);
    expect(await auditCount()).toBe(audits);
  });
});

describe('operator console security: roles and owner adjustments', () => {
  it('lets support and viewer read but refuses them an adjustment (403 FORBIDDEN_ROLE, nothing moved)', async () => {
    for (const role of ['viewer', 'support'] as const) {
      const b = await consoleBrowser(purse, role);
      expect((await b.get(`/admin/tenants/${tenant.tenantId}`)).status).toBe(200);
      const before = await balanceMinor();
      const res = await b.post(`/admin/tenants/${tenant.tenantId}/adjust`, { csrf: await b.csrf(), amount: '5', reason: 'role probe', reference: '01JD8ZQ2X3Y4Z5A6B7C8D9E0F4' });
      expect(res.status).toBe(403);
      expect(String(res.body)).toContain('data-code="FORBIDDEN_ROLE"');
      expect(await balanceMinor()).toBe(before);
    }
    const viewer = await consoleBrowser(purse, 'viewer');
    expect((await viewer.post(`/admin/tenants/${tenant.tenantId}/portal-link`, { csrf: await viewer.csrf() })).status).toBe(403);
    const support = await consoleBrowser(purse, 'support');
    const link = await support.post(`/admin/tenants/${tenant.tenantId}/portal-link`, { csrf: await support.csrf() });
    expect(link.status).toBe(200);
    expect(String(link.body)).toMatch(/data-portal-link>http:\/\/localhost:8080\/billing\?session=/);
  });

  it('confirms an owner adjustment with the amount in words and the resulting balance, and moves money once on a double submit', async () => {
    const owner = await consoleBrowser(purse, 'owner');
    const before = await balanceMinor();
    const review = await owner.post(`/admin/tenants/${tenant.tenantId}/adjust`, { csrf: await owner.csrf(), amount: '12.50', reason: 'goodwill' });
    expect(review.status).toBe(200);
    expect(String(review.body)).toContain('Brazilian reals');
    expect(String(review.body)).toContain(`The balance will be ${formatMoney(before + 1250n, 'BRL', 'en')}.`);
    expect(await balanceMinor()).toBe(before);
    const form = Object.fromEntries([...String(review.body).matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
    const [a, b] = await Promise.all([owner.post(`/admin/tenants/${tenant.tenantId}/adjust`, form), owner.post(`/admin/tenants/${tenant.tenantId}/adjust`, form)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(await balanceMinor()).toBe(before + 1250n);
    const audit = await admin(purse, 'GET', `/v1/admin/audit?actor=${encodeURIComponent(owner.email)}`);
    expect(audit.body.data.filter((e: { action: string }) => e.action === 'wallet.adjust')).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ role: 'owner', target: tenant.tenantId, before: { balanceMinor: String(before) } });
  });
});

describe('operator console security: lockout, idle sessions, CSP and logs', () => {
  it('locks an account after 10 wrong passwords (429 LOGIN_LOCKED even with the right one) until 15 minutes pass', async () => {
    const email = await createTestOperator(purse, 'viewer');
    for (let i = 0; i < LOGIN_FAILURES_MAX; i += 1) expect((await postLogin(purse, email, `wrong password ${i}`)).status).toBe(401);
    const locked = await postLogin(purse, email, TEST_OPERATOR_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe(String(LOGIN_LOCK_MS / 1000));
    clockMs += LOGIN_LOCK_MS;
    expect((await postLogin(purse, email, TEST_OPERATOR_PASSWORD)).status).toBe(303);
  });

  it('ends a session after 30 idle minutes', async () => {
    const b = await consoleBrowser(purse, 'viewer');
    clockMs += SESSION_IDLE_TIMEOUT_MS - 1000;
    expect((await b.get('/admin')).status).toBe(200);
    clockMs += SESSION_IDLE_TIMEOUT_MS;
    expect((await b.get('/admin')).status).toBe(303);
  });

  it('sends a strict CSP on every console page', async () => {
    const b = await consoleBrowser(purse, 'viewer');
    const res = await b.get('/admin/tenants');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'nonce-[^']+'; script-src 'nonce-[^']+';.*frame-ancestors 'none'; form-action 'self'$/);
    expect(res.headers['server-timing']).toMatch(/^render;dur=/);
  });

  it('never logs a password or a session token', async () => {
    const email = await createTestOperator(purse, 'viewer');
    await postLogin(purse, email, 'a wrong password to log');
    const ok = await postLogin(purse, email, TEST_OPERATOR_PASSWORD);
    const token = cookieOf(ok, 'purse_console')!.split('=')[1]!;
    await call(purse, 'GET', '/admin', { headers: { cookie: `purse_console=${token}` } });
    const link = await createOperator(purse.ctx, { actor: 'test', role: 'owner' }, { email: 'linked@example.com', role: 'viewer' });
    const setToken = new URL(link.url).searchParams.get('token')!;
    expect((await call(purse, 'GET', `/admin/set-password?token=${setToken}`)).status).toBe(200);
    const logs = purse.logs();
    expect(logs).toContain('/admin/set-password?token=[redacted]');
    expect(logs).not.toContain(setToken);
    expect(logs).toContain('operator logged in');
    for (const secret of [TEST_OPERATOR_PASSWORD, 'a wrong password to log', token]) expect(logs).not.toContain(secret);
  });
});
