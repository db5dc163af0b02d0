import { Type } from 'typebox';
import { ATTEMPTS_PAGE_SIZE_DEFAULT, ATTEMPTS_PAGE_SIZE_MAX } from './list-attempts.ts';
import { ATTEMPT_STATES, CONFIG_STATES, PAUSED_REASONS } from './states.ts';

/** What the three auto top-up routes share: the settings, attempt and page shapes, the request body and query, read and write auth. */
export const MoneyIn = Type.Union([Type.String({ maxLength: 32 }), Type.Number()], { description: 'Major units of the account currency' });
export const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
export const NullableString = Type.Union([Type.String(), Type.Null()]);

export const AttemptSchema = Type.Object({
  id: Type.String({ description: 'atu_…' }),
  amount: Type.Number(),
  state: Type.String({ enum: [...ATTEMPT_STATES] }),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  paymentIntentId: NullableString,
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const AutoTopupSchema = Type.Object({
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

export const AttemptPageSchema = Type.Object({ data: Type.Array(AttemptSchema), nextCursor: NullableString }, {
  examples: [{
    data: [{
      id: 'atu_01JD8ZW6F8G0H2J4K6M8N0P2Q4', amount: 50, state: 'succeeded', failure: null, paymentIntentId: 'pi_3Q1w2E3r4T5y6U7i',
      createdAt: '2026-03-01T12:00:00.000Z', completedAt: '2026-03-01T12:00:03.000Z',
    }],
    nextCursor: null,
  }],
});

export const PutBody = Type.Object({
  enabled: Type.Boolean(),
  threshold: MoneyIn,
  amount: Type.Optional(MoneyIn),
  targetBalance: Type.Optional(MoneyIn),
  monthlyCap: Type.Optional(Type.Union([MoneyIn, Type.Null()])),
}, { additionalProperties: false });

export const Query = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: 6, description: `1 to ${ATTEMPTS_PAGE_SIZE_MAX}, default ${ATTEMPTS_PAGE_SIZE_DEFAULT}` })),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });

export const read = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;
export const write = { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } as const;
