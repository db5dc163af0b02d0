import { type ActionRegistrar, cardAction, guarded } from './billing-action-kit.ts';

export const registerRemoveCardAction: ActionRegistrar = (app, ctx, options) => {
  app.post('/billing/cards/:id/remove', options, guarded(ctx, cardAction('remove')));
};
