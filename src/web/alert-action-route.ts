import { type ActionRegistrar, guarded } from './billing-action-kit.ts';
import { saveAlert } from './settings-actions.ts';

export const registerAlertAction: ActionRegistrar = (app, ctx, options) => {
  app.post('/billing/alerts', options, guarded(ctx, saveAlert));
};
