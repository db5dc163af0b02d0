import type Stripe from 'stripe';
import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses } from '../api/kit.ts';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import { receiveEvent } from './inbox.ts';
import type { Ctx } from '../context.ts';

/** How far a signature's timestamp may be from our clock, either way (Stripe's default, past and future). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
const MS_PER_SECOND = 1000;

/** Verify on the raw bytes → check the event's shape → store by event id and process (inbox.ts) → acknowledge. */
export const registerStripeWebhookRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/webhooks/stripe', {
    // The raw bytes are verified and stored as sent; Stripe's own text is not held to our input rules.
    config: { auth: { kind: 'public' }, rawTextBody: true },
    schema: {
      tags: ['Webhooks'], summary: 'Stripe webhook endpoint (signed with Stripe-Signature)',
      headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String()) }),
      response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }), ...errorResponses('SIGNATURE_INVALID') },
    },
  }, async (request) => {
    const event = verifyEvent(ctx, request.rawBody ?? '', request.headers['stripe-signature']);
    const { duplicate } = await receiveEvent(ctx, event, request.rawBody ?? '');
    return { received: true, duplicate };
  });
};

function verifyEvent(ctx: Ctx, rawBody: string, header: string | string[] | undefined): Stripe.Event {
  if (typeof header !== 'string' || rawBody === '') throw new PurseError('SIGNATURE_INVALID');
  const receivedAtMs = ctx.nowMs();
  // The SDK only refuses timestamps too far in the past; a future one is as much a replay risk.
  if (!timestampNotAhead(header, receivedAtMs)) throw new PurseError('SIGNATURE_INVALID');
  const verified = ctx.payments.verifyWebhook(rawBody, header, WEBHOOK_TOLERANCE_SECONDS, receivedAtMs);
  if (!verified) throw new PurseError('SIGNATURE_INVALID');
  return checkEventShape(verified.body);
}

function timestampNotAhead(header: string, nowMs: number): boolean {
  const stamps = header.split(',').map((item) => item.trim()).filter((item) => item.startsWith('t=')).map((item) => item.slice(2));
  if (stamps.length === 0 || !stamps.every((t) => /^\d{1,15}$/.test(t))) return false;
  return stamps.every((t) => Number(t) * MS_PER_SECOND - nowMs <= WEBHOOK_TOLERANCE_SECONDS * MS_PER_SECOND);
}

/**
 * Stripe signed it, but it must still look like an event: an id, a type and `data.object`. A
 * malformed one is refused (400) instead of failing in a handler and being retried by the inbox.
 */
function checkEventShape(value: unknown): Stripe.Event {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fieldError('VALIDATION_ERROR', 'body', 'must be a Stripe event object');
  const event = value as Record<string, unknown>;
  if (typeof event.id !== 'string' || event.id === '') throw fieldError('VALIDATION_ERROR', 'body.id', 'must be the event id');
  if (typeof event.type !== 'string' || event.type === '') throw fieldError('VALIDATION_ERROR', 'body.type', 'must be the event type');
  const data = event.data as Record<string, unknown> | null | undefined;
  if (typeof data !== 'object' || data === null || typeof data.object !== 'object' || data.object === null || Array.isArray(data.object)) {
    throw fieldError('VALIDATION_ERROR', 'body.data.object', 'must be the object the event is about');
  }
  return value as Stripe.Event;
}
