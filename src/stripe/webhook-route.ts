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
    config: { auth: { kind: 'public' } },
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
  const event = ctx.payments.verifyWebhook(rawBody, header, WEBHOOK_TOLERANCE_SECONDS, ctx.nowMs());
  if (!event) throw new PurseError('SIGNATURE_INVALID');
  return event;
}
