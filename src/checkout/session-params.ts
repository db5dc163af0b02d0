import type Stripe from 'stripe';
import type { Ctx } from '../context.ts';
import type { CheckoutRequest } from './validate-checkout.ts';

const TOPUP_PRODUCT_NAME = 'Wallet top-up';

export interface SessionInput {
  orderId: string;
  tenantId: string;
  currency: string;
  request: CheckoutRequest;
  customerId: string;
  successUrl: string;
  cancelUrl: string;
  expiresAtSeconds: number;
}

/** SPEC §3.2: exactly what Purse asks Stripe for, per purpose. */
export function sessionParams(ctx: Ctx, s: SessionInput): Stripe.Checkout.SessionCreateParams {
  const metadata = { orderId: s.orderId, tenantId: s.tenantId, purpose: s.request.purpose };
  const common = {
    customer: s.customerId,
    client_reference_id: s.orderId,
    metadata,
    success_url: s.successUrl,
    cancel_url: s.cancelUrl,
    expires_at: s.expiresAtSeconds,
  };
  if (s.request.purpose === 'add_card') {
    return { ...common, mode: 'setup', currency: s.currency.toLowerCase(), setup_intent_data: { metadata } };
  }
  const config = ctx.config;
  return {
    ...common,
    mode: 'payment',
    line_items: [{
      quantity: 1,
      price_data: { currency: s.currency.toLowerCase(), unit_amount: Number(s.request.amountMinor), product_data: { name: TOPUP_PRODUCT_NAME } },
    }],
    payment_intent_data: { metadata, ...(config.checkoutSaveCard ? { setup_future_usage: 'off_session' as const } : {}) },
    billing_address_collection: config.checkoutRequireBillingAddress ? 'required' : 'auto',
    ...(config.stripeAutomaticTax ? { automatic_tax: { enabled: true }, customer_update: { address: 'auto' as const } } : {}),
    ...(config.stripeAdaptivePricing ? { adaptive_pricing: { enabled: true } } : {}),
  };
}
