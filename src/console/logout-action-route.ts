import { logoutOperator } from '../operators/sessions.ts';
import { cookieValue } from '../web/page-http.ts';
import { CONSOLE_COOKIE, cookieHeader, guardWriteless } from './console-http.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerLogoutAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/logout', options, async (request, reply) => {
    const cookie = cookieValue(request, CONSOLE_COOKIE);
    if (!(await guardWriteless(ctx, request, reply))) return reply;
    await logoutOperator(ctx, cookie);
    return reply.header('set-cookie', cookieHeader(ctx, CONSOLE_COOKIE, '', 0)).redirect('/admin/login', 303);
  });
};
