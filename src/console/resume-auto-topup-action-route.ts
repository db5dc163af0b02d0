import { resume } from './tenant-actions.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerResumeAutoTopupAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/tenants/:id/auto-topup/resume', options, async (request, reply) => resume(ctx, request, reply));
};
