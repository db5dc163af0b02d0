import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { TRANSACTION_EXAMPLE, TransactionSchema } from '../ledger/transaction-view.ts';
import { captureHold } from './capture-hold.ts';
import { HOLD_EXAMPLE, HoldSchema } from './hold-view.ts';
import { placeHold } from './place-hold.ts';
import { readHold } from './read-hold.ts';
import { amountField, DescriptionField, MetadataField, NumberIdField } from './spend-input.ts';
import { voidHold } from './void-hold.ts';
import { WALLET_EXAMPLE, WalletSchema } from './wallet-route.ts';

const HOLD_ID_LENGTH_MAX = 64;
const AUTH = { kind: 'tenant', scope: 'any', permission: 'usage:write' } as const;
const Params = Type.Object({ id: Type.String({ maxLength: HOLD_ID_LENGTH_MAX, description: 'The hold id, hld_…' }) });
const HoldResult = Type.Object({ hold: HoldSchema, wallet: WalletSchema }, { examples: [{ hold: HOLD_EXAMPLE, wallet: WALLET_EXAMPLE }] });
const CAPTURED_EXAMPLE = {
  hold: { ...HOLD_EXAMPLE, state: 'captured', captured: 12.5, captureTransactionId: 'txn_01JD8ZS8C0D2E4F6G8H0J2K4M6' },
  transaction: { ...TRANSACTION_EXAMPLE, id: 'txn_01JD8ZS8C0D2E4F6G8H0J2K4M6', reference: `hold:${HOLD_EXAMPLE.id}:capture`, kind: 'hold_capture', amount: -12.5, balanceAfter: 37.25, description: 'call in progress', metadata: null },
  wallet: { ...WALLET_EXAMPLE, balance: 37.25, held: 0, available: 37.25 },
};
const CaptureResult = Type.Object({ hold: HoldSchema, transaction: TransactionSchema, wallet: WalletSchema }, { examples: [CAPTURED_EXAMPLE] });
const ActionBody = Type.Object({}, { additionalProperties: false });
const CaptureBody = Type.Object(
  { amount: Type.Optional(amountField('How much to take, at most the held amount; the whole hold when absent (the rest is released). ')) },
  { additionalProperties: false },
);

/** Capture and void may be sent without a body; validate that as `{}` (runs after the auth hook). */
async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}

export const registerHoldsRoutes: RouteRegistrar = (app, ctx) => {
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
    config: { auth: AUTH },
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

  app.get('/v1/billing/holds/:id', {
    config: { auth: AUTH },
    schema: {
      tags: ['Billing'], summary: 'Read a hold', security: tenantSecurity, operationId: 'get_billing_hold',
      params: Params,
      response: { 200: HoldSchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => readHold(ctx, principalOf(request), request.params.id));

  app.post('/v1/billing/holds/:id/capture', {
    config: { auth: AUTH },
    schema: {
      tags: ['Billing'], summary: 'Capture a hold, fully or partly', security: tenantSecurity, operationId: 'post_billing_hold_capture',
      description: 'Debits the captured amount and releases the whole reservation in one ledger transaction. Repeating the same capture ' +
        'returns the hold; a hold voided, expired (even if not yet swept) or captured for another amount is 409 HOLD_NOT_ACTIVE.',
      params: Params,
      body: CaptureBody,
      response: { 200: CaptureResult, ...errorResponses('AMOUNT_INVALID', 'NOT_FOUND', 'HOLD_NOT_ACTIVE') },
    },
    preValidation: emptyBodyAsObject,
  }, async (request) => captureHold(ctx, principalOf(request), request.params.id, request.body));

  app.post('/v1/billing/holds/:id/void', {
    config: { auth: AUTH },
    schema: {
      tags: ['Billing'], summary: 'Void a hold (release its funds)', security: tenantSecurity, operationId: 'post_billing_hold_void',
      description: 'Releases the reservation. Repeating it returns the hold; a captured or expired hold is 409 HOLD_NOT_ACTIVE.',
      params: Params,
      body: ActionBody,
      response: { 200: HoldResult, ...errorResponses('NOT_FOUND', 'HOLD_NOT_ACTIVE') },
    },
    preValidation: emptyBodyAsObject,
  }, async (request) => voidHold(ctx, principalOf(request), request.params.id));
};
