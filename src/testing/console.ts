import { createOperator, setOperatorPassword } from '../operators/manage-operators.ts';
import type { Role } from '../operators/roles.ts';
import { type Call, call } from './api.ts';
import type { TestPurse } from './harness.ts';

/** An operator's browser over fastify.inject: logs in through the real form and carries its cookie. */
export const TEST_OPERATOR_PASSWORD = 'correct horse battery staple';

export interface ConsoleBrowser {
  email: string;
  cookie: string;
  get(path: string): Promise<Call>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Call>;
  csrf(path?: string): Promise<string>;
}

export async function createTestOperator(purse: TestPurse, role: Role, email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`): Promise<string> {
  const link = await createOperator(purse.ctx, { actor: 'test-setup', role: 'owner' }, { email, role });
  await setOperatorPassword(purse.ctx, new URL(link.url).searchParams.get('token')!, TEST_OPERATOR_PASSWORD);
  return email;
}

export function cookieOf(res: Call, name: string): string | undefined {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  const found = all.find((c) => c.startsWith(`${name}=`));
  return found?.split(';')[0];
}

export function formPost(purse: TestPurse, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Call> {
  return call(purse, 'POST', path, { rawBody: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

/** Opens the login page (for its CSRF cookie and token), then posts the form. */
export async function postLogin(purse: TestPurse, email: string, password: string, extraCookie = ''): Promise<Call> {
  const page = await call(purse, 'GET', '/admin/login');
  const binding = cookieOf(page, 'purse_console_login')!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(String(page.body))![1]!;
  return formPost(purse, '/admin/login', { csrf, email, password }, { cookie: [binding, extraCookie].filter(Boolean).join('; ') });
}

export async function consoleBrowser(purse: TestPurse, role: Role): Promise<ConsoleBrowser> {
  const email = await createTestOperator(purse, role);
  const res = await postLogin(purse, email, TEST_OPERATOR_PASSWORD);
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  const cookie = cookieOf(res, 'purse_console')!;
  const b: ConsoleBrowser = {
    email, cookie,
    get: (path) => call(purse, 'GET', path, { headers: { cookie } }),
    post: (path, form, headers = {}) => formPost(purse, path, form, { cookie, ...headers }),
    async csrf(path = '/admin/tenants') {
      return /name="csrf" value="([^"]+)"/.exec(String((await b.get(path)).body))![1]!;
    },
  };
  return b;
}
