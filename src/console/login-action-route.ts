import { login } from './login-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerLoginAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/login', options, async (request, reply) => login(ctx, request, reply));
};
