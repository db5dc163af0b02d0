import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { checkIdempotencyKey } from '../idempotency/idempotency.ts';
import { createCheckout } from './create-checkout.ts';

// The seed contract's request. Types are checked by the service so that each failure gets the seed's
// own code (PURPOSE_INVALID, AMOUNT_*, URL_*); the schema here documents them and rejects unknown fields.
const CheckoutBody = Type.Object(
  {
    purpose: Type.String({ description: 'What the checkout page is for.', enum: ['wallet_topup', 'add_card'], examples: ['wallet_topup'] }),
    amount: Type.Optional(Type.Union([Type.String(), Type.Number()], {
      description: 'Amount to credit to the wallet, in the account currency (required for wallet_topup, rejected for add_card). ' +
        'A plain decimal with at most the currency\'s minor digits.',
      examples: ['50'],
    })),
    successUrl: Type.Optional(Type.String({ description: 'Redirect URL after success (origin must be allow-listed).', examples: ['https://app.acme.com/billing/ok'] })),
    cancelUrl: Type.Optional(Type.String({ description: 'Redirect URL if cancelled (origin must be allow-listed).', examples: ['https://app.acme.com/billing'] })),
  },
  { required: ['purpose'], additionalProperties: false, examples: [{ purpose: 'wallet_topup', amount: 50 }] },
);

const CheckoutResponse = Type.Object({
  url: Type.String({ examples: ['https://checkout.stripe.com/c/pay/cs_test_...'] }),
  purpose: Type.String({ examples: ['wallet_topup'] }),
  orderId: Type.String({ examples: ['cto_01HZX...'] }),
  amount: Type.Optional(Type.Number({ examples: [50] })),
  currency: Type.String({ examples: ['BRL'] }),
  expiresAt: Type.String({ format: 'date-time' }),
}, {
  examples: [{
    url: 'https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4', purpose: 'wallet_topup', orderId: 'cto_01JD8ZT2D4E6F8G0H2J4K6M8N0',
    amount: 50, currency: 'BRL', expiresAt: '2026-03-01T12:30:00.000Z',
  }],
});

export const registerCheckoutRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/billing/checkout', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } },
    attachValidation: true,
    schema: {
      tags: ['Billing'],
      summary: 'Generate checkout link (Stripe)',
      description: 'Creates a hosted Stripe checkout page and returns the url for the user to open in a browser — nothing is charged ' +
        'until they complete it there. purpose:"wallet_topup" (requires amount > 0, in the account currency) mints a one-time payment ' +
        'that credits the pre-paid wallet; purpose:"add_card" mints a page to save a card on file. Requires a tenant-scoped key ' +
        '(403 NUMBER_SCOPE_NOT_ALLOWED for a number key). Accepts an Idempotency-Key header.',
      operationId: 'post_billing_checkout',
      security: tenantSecurity,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'Replays the first response for the same body' })) }),
      body: CheckoutBody,
      response: { 200: CheckoutResponse, ...errorResponses(
        'PURPOSE_INVALID', 'AMOUNT_REQUIRED', 'AMOUNT_INVALID', 'AMOUNT_BELOW_MINIMUM', 'AMOUNT_ABOVE_MAXIMUM', 'AMOUNT_NOT_ALLOWED',
        'URL_INVALID', 'URL_NOT_ALLOWED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS', 'STRIPE_UNAVAILABLE', 'STRIPE_REQUEST_REJECTED',
      ) },
    },
  }, async (request) => {
    const key = checkIdempotencyKey(request.headers['idempotency-key']);
    const schemaProblem = request.validationError?.message;
    return createCheckout(ctx, principalOf(request).tenantId, { body: request.body, schemaProblem, idempotencyKey: key });
  });
};
