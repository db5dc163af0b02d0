import type { RouteRegistrar, App } from '../api/kit.ts';
import { registerLoginPages } from './login-pages.ts';
import { registerOperatorsPage } from './operators-page.ts';
import { registerOpsPages } from './ops-pages.ts';
import { registerOverviewPage } from './overview-page.ts';
import { registerTenantPages } from './tenant-pages.ts';

/** `/admin`: the operator console (SPEC §9.3), server-rendered, behind an operator session. */
const FORM_BODY_LIMIT_BYTES = 8 * 1024;
const hidden = { schema: { hide: true }, config: { auth: { kind: 'public' as const } } };

export const registerConsole: RouteRegistrar = (app, ctx) => {
  void app.register(async (scope) => {
    const pages = scope as unknown as App;
    pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    registerLoginPages(pages, ctx, hidden);
    registerOverviewPage(pages, ctx, hidden);
    registerTenantPages(pages, ctx, hidden);
    registerOpsPages(pages, ctx, hidden);
    registerOperatorsPage(pages, ctx, hidden);
  });
};
