import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { HOLD_AUTH, HoldResult } from './hold-route-kit.ts';
import { placeHold } from './place-hold.ts';
import { amountField, DescriptionField, MetadataField, NumberIdField } from './spend-input.ts';

export const registerPlaceHoldRoute: RouteRegistrar = (app, ctx) => {
  const PlaceBody = Type.Object(
    {
      amount: Type.Optional(amountField()),
      expiresInSeconds: Type.Optional(Type.Integer({
        minimum: 1, maximum: ctx.config.holdExpiresSecondsMax,
        description: `Lifetime; default ${ctx.config.holdExpiresSecondsDefault}. An expired hold releases its funds.`,
      })),
      description: Type.Optional(DescriptionField),
      numberId: Type.Optional(NumberIdField),
      metadata: Type.Optional(MetadataField),
    },
    { additionalProperties: false, examples: [{ amount: 20, expiresInSeconds: 600, description: 'call in progress' }] },
  );

  app.post('/v1/billing/holds', {
    config: { auth: HOLD_AUTH },
    schema: {
      tags: ['Billing'], summary: 'Reserve funds (place a hold)', security: tenantSecurity, operationId: 'post_billing_holds',
      description: 'Moves the amount from available to held (402 INSUFFICIENT_FUNDS if available is short); no money moves until a capture. ' +
        'Number keys: as for usage. Accepts an Idempotency-Key (201 first, 200 replay, 409 if reused for another request).',
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'Replays the first hold for the same request' })) }),
      body: PlaceBody,
      response: { 201: HoldResult, 200: HoldResult, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID', 'NUMBER_SCOPE_NOT_ALLOWED', 'NOT_FOUND', 'INSUFFICIENT_FUNDS', 'IDEMPOTENCY_KEY_REUSED') },
    },
  }, async (request, reply) => {
    const { created, ...result } = await placeHold(ctx, principalOf(request), request.body, request.headers['idempotency-key']);
    return reply.status(created ? 201 : 200).send(result);
  });
};
