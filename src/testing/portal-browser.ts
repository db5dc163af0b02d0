import { asKey, call, type TestTenant } from './api.ts';
import type { TestPurse } from './harness.ts';

/** A customer's browser, over fastify.inject: opens a portal link, then carries the cookie as a real one would. */
export interface PortalBrowser {
  cookie: string;
  get(path: string, headers?: Record<string, string>): ReturnType<typeof call>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): ReturnType<typeof call>;
  /** The CSRF token the page's forms carry for this session. */
  csrf(): Promise<string>;
  /** Follows a 303 back to the page as a browser would (the #fragment stays in the browser). */
  follow(redirect: { headers: Record<string, unknown> }, headers?: Record<string, string>): ReturnType<typeof call>;
}

export async function portalBrowser(purse: TestPurse, tenant: TestTenant): Promise<PortalBrowser> {
  const link = await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {});
  const token = new URL(link.body.url).searchParams.get('session')!;
  const opened = await call(purse, 'GET', `/billing?session=${token}`);
  const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
  const b: PortalBrowser = {
    cookie,
    get: (path, headers = {}) => call(purse, 'GET', path, { headers: { cookie, ...headers } }),
    post: (path, form, headers = {}) => call(purse, 'POST', path, {
      rawBody: new URLSearchParams(form).toString(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    }),
    follow: (redirect, headers = {}) => b.get(String(redirect.headers.location).split('#')[0]!, headers),
    async csrf() {
      return /name="csrf" value="([^"]+)"/.exec(String((await b.get('/billing')).body))![1]!;
    },
  };
  return b;
}
