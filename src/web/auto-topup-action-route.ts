import { type ActionRegistrar, guarded } from './billing-action-kit.ts';
import { saveAutoTopup } from './settings-actions.ts';

export const registerAutoTopupAction: ActionRegistrar = (app, ctx, options) => {
  app.post('/billing/auto-topup', options, guarded(ctx, saveAutoTopup));
};
