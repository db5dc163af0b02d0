import { type ActionRegistrar, cardAction, guarded } from './billing-action-kit.ts';

export const registerDefaultCardAction: ActionRegistrar = (app, ctx, options) => {
  app.post('/billing/cards/:id/default', options, guarded(ctx, cardAction('default')));
};
