import { adjust } from './tenant-pages.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerAdjustTenantAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/tenants/:id/adjust', options, async (request, reply) => adjust(ctx, request, reply));
};
