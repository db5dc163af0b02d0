import { replay } from './tenant-actions.ts';
import type { ConsolePageRegistrar } from './page-registrar.ts';

export const registerReplayTenantDeliveryAction: ConsolePageRegistrar = (app, ctx, options) => {
  app.post('/admin/tenants/:id/deliveries/:deliveryId/replay', options, async (request, reply) => replay(ctx, request, reply));
};
