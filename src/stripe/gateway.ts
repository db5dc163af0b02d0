import Stripe from 'stripe';
import type { Config } from '../config/config.ts';

/**
 * Purse's one door to Stripe: the official SDK, pointed at real Stripe, at STRIPE_API_URL, or at the
 * built-in sandbox. Same code path in all three; only host, port and protocol differ.
 */
export interface StripeGateway {
  client: Stripe;
  /** Every `whsec_…` accepted on /v1/webhooks/stripe (several during rotation). */
  webhookSecrets: string[];
  mode: 'stripe' | 'sandbox';
}

export const STRIPE_API_VERSION = '2026-10-28.endive';
export const SANDBOX_SECRET_KEY = 'sk_test_purse_sandbox';
const STRIPE_NETWORK_RETRIES = 1;

export interface StripeTarget {
  secretKey: string;
  apiUrl?: string | undefined;
  timeoutMs: number;
}

export function stripeClient(target: StripeTarget): Stripe {
  const options: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION as Stripe.StripeConfig['apiVersion'],
    timeout: target.timeoutMs,
    // Every write carries our own idempotency key, so a retry can never charge twice.
    maxNetworkRetries: STRIPE_NETWORK_RETRIES,
    telemetry: false,
    appInfo: { name: 'purse' },
  };
  if (target.apiUrl) {
    const url = new URL(target.apiUrl);
    options.host = url.hostname;
    options.protocol = url.protocol === 'http:' ? 'http' : 'https';
    options.port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  }
  return new Stripe(target.secretKey, options);
}

/** The gateway the configuration asks for; `sandbox` gives the address and secret of a running sandbox. */
export function gatewayFromConfig(config: Config, sandbox?: { url: string; webhookSecret: string }): StripeGateway {
  if (config.stripeSecretKey) {
    return {
      client: stripeClient({ secretKey: config.stripeSecretKey, apiUrl: config.stripeApiUrl, timeoutMs: config.stripeTimeoutMs }),
      webhookSecrets: config.stripeWebhookSecrets,
      mode: 'stripe',
    };
  }
  const url = sandbox?.url ?? `http://127.0.0.1:${config.stripeSandboxPort}`;
  return {
    client: stripeClient({ secretKey: SANDBOX_SECRET_KEY, apiUrl: url, timeoutMs: config.stripeTimeoutMs }),
    webhookSecrets: [...config.stripeWebhookSecrets, ...(sandbox ? [sandbox.webhookSecret] : [])],
    mode: 'sandbox',
  };
}

/** Stripe's own idempotency keys, derived from our ids so a retry of the same thing is the same request. */
export function stripeIdempotencyKey(kind: 'customer' | 'checkout' | 'detach' | 'auto_topup' | 'auto_topup_recovery', ourId: string): string {
  return `purse:${kind}:${ourId}`;
}
