import { registerCheckoutSessionRoutes, sessionLineItems } from './api/checkout-sessions.ts';
import { registerChargeRoutes } from './api/charges.ts';
import { registerCustomerRoutes } from './api/customers.ts';
import { registerEventRoutes } from './api/events.ts';
import { IdempotencyStore } from './api/idempotency.ts';
import { registerPaymentIntentRoutes } from './api/payment-intents.ts';
import { registerPaymentMethodRoutes } from './api/payment-methods.ts';
import type { ApiContext } from './api/server.ts';
import type { ApiHandler } from './api/types.ts';
import { sweepExpiredSessions } from './checkout-pay.ts';
import { createSystemClock } from './clock.ts';
import type { SandboxClock } from './clock.ts';
import type { ControlContext } from './control.ts';
import type { SandboxCore } from './core.ts';
import { EventLog } from './events.ts';
import { FaultInjector } from './faults.ts';
import { newSecret } from './ids.ts';
import { Router } from './router.ts';
import { SandboxState } from './state.ts';
import { WebhookDispatcher, webhookRetryDefaults } from './webhooks.ts';
import type { WebhookRetryOptions } from './webhooks.ts';

export interface InternalsOptions {
  secretKey?: string;
  webhookEndpoints?: { url: string; secret?: string }[];
  webhookSecret?: string;
  clock?: SandboxClock;
  logger: (line: Record<string, unknown>) => void;
  webhookRetry?: WebhookRetryOptions;
}

/** Everything behind the HTTP server, wired together; the server and the public handle sit on top. */
export interface SandboxInternals {
  core: SandboxCore;
  webhooks: WebhookDispatcher;
  faults: FaultInjector;
  api: ApiContext;
  control: ControlContext;
  webhookSecret: string;
  sweep(): void;
  setPublicUrl(url: string): void;
  addWebhookEndpoint(url: string, secret?: string): string;
  resendEvent(eventId: string): number;
}

function buildRouter(): Router<ApiHandler> {
  const router = new Router<ApiHandler>();
  registerCustomerRoutes(router);
  registerCheckoutSessionRoutes(router);
  registerPaymentIntentRoutes(router);
  registerPaymentMethodRoutes(router);
  registerChargeRoutes(router);
  registerEventRoutes(router);
  return router;
}

export function createInternals(opts: InternalsOptions): SandboxInternals {
  const baseClock = opts.clock ?? createSystemClock();
  const state = new SandboxState();
  let publicUrl = '';
  const sweep = (): void => sweepExpiredSessions(core);
  // Advancing through the sandbox expires due sessions at once; a caller moving its own clock object
  // is caught by the sweep that runs before every request.
  const clock: SandboxClock = { nowMs: () => baseClock.nowMs(), advance: (seconds) => { baseClock.advance(seconds); sweep(); } };
  const events = new EventLog(clock);
  const core: SandboxCore = { clock, state, events, publicUrl: () => publicUrl };
  const webhookSecret = opts.webhookSecret ?? newSecret('whsec');
  const webhooks = new WebhookDispatcher(clock, { ...webhookRetryDefaults, ...opts.webhookRetry }, opts.logger);
  events.onEmit((event) => webhooks.dispatch(event));
  const addWebhookEndpoint = (url: string, secret?: string): string => {
    const chosen = secret ?? webhookSecret;
    webhooks.addEndpoint(url, chosen);
    return chosen;
  };
  for (const endpoint of opts.webhookEndpoints ?? []) addWebhookEndpoint(endpoint.url, endpoint.secret);
  const resendEvent = (eventId: string): number => {
    const event = events.get(eventId);
    const count = webhooks.dispatch(event);
    event.pending_webhooks += count;
    return count;
  };
  const faults = new FaultInjector();
  const logError = (error: unknown): void => opts.logger({ msg: 'sandbox error', error: error instanceof Error ? error.stack : String(error) });
  const api: ApiContext = {
    core, router: buildRouter(), idempotency: new IdempotencyStore(clock), faults,
    expandSource: { lookup: (id) => state.lookup(id), sessionLineItems: (id) => sessionLineItems(state, id) },
    secretKey: opts.secretKey ?? null, beforeCall: sweep, logError,
  };
  const control: ControlContext = { core, faults, webhooks, addWebhookEndpoint, resendEvent, advanceClock: clock.advance, logError };
  const setPublicUrl = (url: string): void => {
    publicUrl = url.replace(/\/+$/, '');
  };
  return { core, webhooks, faults, api, control, webhookSecret, sweep, setPublicUrl, addWebhookEndpoint, resendEvent };
}
