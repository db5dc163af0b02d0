import type Stripe from 'stripe';
import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses } from '../api/kit.ts';
import { PurseError } from '../errors/purse-error.ts';
import { processEvent, recordEvent } from './inbox.ts';
import type { Ctx } from '../context.ts';

export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Verify on the raw bytes → store by event id → process → acknowledge. Duplicates are acknowledged only. */
export const registerStripeWebhookRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/webhooks/stripe', {
    // The raw bytes are verified and stored as sent; Stripe's own text is not held to our input rules.
    config: { auth: { kind: 'public' }, rawTextBody: true },
    schema: {
      tags: ['Webhooks'], summary: 'Stripe webhook endpoint (signed with Stripe-Signature)',
      headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String()) }),
      response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }), ...errorResponses(400, 413) },
    },
  }, async (request) => {
    const event = verifyEvent(ctx, request.rawBody ?? '', request.headers['stripe-signature']);
    const fresh = await recordEvent(ctx, event, request.rawBody ?? '');
    if (fresh) await processEvent(ctx, event);
    return { received: true, duplicate: !fresh };
  });
};

function verifyEvent(ctx: Ctx, rawBody: string, header: string | string[] | undefined): Stripe.Event {
  if (typeof header !== 'string' || rawBody === '') throw new PurseError('SIGNATURE_INVALID');
  // The SDK takes "now" in milliseconds; passing our clock keeps tests and instances consistent.
  const receivedAtMs = ctx.nowMs();
  for (const secret of ctx.stripe.webhookSecrets) {
    try {
      return ctx.stripe.client.webhooks.constructEvent(rawBody, header, secret, WEBHOOK_TOLERANCE_SECONDS, undefined, receivedAtMs);
    } catch {
      // Try the next secret: several are valid while one is being rotated out.
    }
  }
  throw new PurseError('SIGNATURE_INVALID');
}
