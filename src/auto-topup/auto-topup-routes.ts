import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { ATTEMPTS_PAGE_SIZE_DEFAULT, ATTEMPTS_PAGE_SIZE_MAX, listAttempts } from './list-attempts.ts';
import { ATTEMPT_STATES, CONFIG_STATES, PAUSED_REASONS } from './states.ts';
import { setAutoTopup } from './set-auto-topup.ts';
import { readAutoTopup } from './views.ts';

const MoneyIn = Type.Union([Type.String({ maxLength: 32 }), Type.Number()], { description: 'Major units of the account currency' });
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const AttemptSchema = Type.Object({
  id: Type.String({ description: 'atu_…' }),
  amount: Type.Number(),
  state: Type.String({ enum: [...ATTEMPT_STATES] }),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  paymentIntentId: NullableString,
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const AutoTopupSchema = Type.Object({
  enabled: Type.Boolean(),
  state: Type.String({ enum: [...CONFIG_STATES] }),
  threshold: NullableNumber,
  amount: NullableNumber,
  targetBalance: NullableNumber,
  monthlyCap: NullableNumber,
  currency: Type.String(),
  chargedThisMonth: Type.Number({ description: 'Charged by auto top-up this calendar month (UTC)' }),
  pausedReason: Type.Union([Type.String({ enum: [...PAUSED_REASONS] }), Type.Null()]),
  recoveryUrl: Type.Union([Type.String({ description: 'Checkout page that pays the attempt on-session' }), Type.Null()]),
  inFlight: Type.Union([AttemptSchema, Type.Null()]),
}, {
  examples: [{
    enabled: true, state: 'active', threshold: 10, amount: 50, targetBalance: null, monthlyCap: 500, currency: 'BRL', chargedThisMonth: 100,
    pausedReason: null, recoveryUrl: null, inFlight: null,
  }],
});

const AttemptPageSchema = Type.Object({ data: Type.Array(AttemptSchema), nextCursor: NullableString }, {
  examples: [{
    data: [{
      id: 'atu_01JD8ZW6F8G0H2J4K6M8N0P2Q4', amount: 50, state: 'succeeded', failure: null, paymentIntentId: 'pi_3Q1w2E3r4T5y6U7i',
      createdAt: '2026-03-01T12:00:00.000Z', completedAt: '2026-03-01T12:00:03.000Z',
    }],
    nextCursor: null,
  }],
});

const PutBody = Type.Object({
  enabled: Type.Boolean(),
  threshold: MoneyIn,
  amount: Type.Optional(MoneyIn),
  targetBalance: Type.Optional(MoneyIn),
  monthlyCap: Type.Optional(Type.Union([MoneyIn, Type.Null()])),
}, { additionalProperties: false });

const Query = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: 6, description: `1 to ${ATTEMPTS_PAGE_SIZE_MAX}, default ${ATTEMPTS_PAGE_SIZE_DEFAULT}` })),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });

const read = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;
const write = { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } as const;

export const registerAutoTopupRoutes: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/auto-topup', {
    config: { auth: read },
    schema: { tags: ['Billing'], summary: 'Read auto top-up settings and state', security: tenantSecurity, response: { 200: AutoTopupSchema, ...errorResponses() } },
  }, async (request) => readAutoTopup(ctx, principalOf(request).tenantId));

  app.put('/v1/billing/auto-topup', {
    config: { auth: write },
    schema: {
      tags: ['Billing'], summary: 'Configure auto top-up (enabling again resumes it)', security: tenantSecurity, body: PutBody,
      response: { 200: AutoTopupSchema, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID', 'AMOUNT_BELOW_MINIMUM', 'AMOUNT_ABOVE_MAXIMUM', 'NO_PAYMENT_METHOD') },
    },
  }, async (request) => setAutoTopup(ctx, principalOf(request).tenantId, request.body));

  app.get('/v1/billing/auto-topup/attempts', {
    config: { auth: read },
    schema: {
      tags: ['Billing'], summary: 'List auto top-up attempts, newest first', security: tenantSecurity, querystring: Query,
      response: { 200: AttemptPageSchema, ...errorResponses('CURSOR_INVALID') },
    },
  }, async (request) => listAttempts(ctx, principalOf(request).tenantId, request.query));
};
