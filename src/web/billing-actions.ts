import type { RouteShorthandOptions } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import type { ActionRegistrar } from './billing-action-kit.ts';
import { registerTopUpAction } from './topup-action-route.ts';
import { registerAddCardAction } from './add-card-action-route.ts';
import { registerDefaultCardAction } from './default-card-action-route.ts';
import { registerRemoveCardAction } from './remove-card-action-route.ts';
import { registerAutoTopupAction } from './auto-topup-action-route.ts';
import { registerAlertAction } from './alert-action-route.ts';

/**
 * The billing page's form actions, one per file (billing-action-kit.ts says what they share), in the
 * order they are registered.
 */
const BILLING_ACTIONS: ActionRegistrar[] = [
  registerTopUpAction,
  registerAddCardAction,
  registerDefaultCardAction,
  registerRemoveCardAction,
  registerAutoTopupAction,
  registerAlertAction,
];

export function registerBillingActions(app: App, ctx: Ctx, options: RouteShorthandOptions): void {
  for (const register of BILLING_ACTIONS) register(app, ctx, options);
}
