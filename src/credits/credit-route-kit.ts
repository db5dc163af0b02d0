import { Type } from 'typebox';
import { GRANT_REASON_LENGTH_MAX, GRANT_REFERENCE_LENGTH_MAX } from './grant-credit.ts';

/** What the four credit block routes (issue 21: grants and voids by the operator, the tenant's list) share: the block, report and grant shapes. */
export const ID_LENGTH_MAX = 64;
export const TEXT_LENGTH_MAX = 64;

export const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);

export const CreditBlockSchema = Type.Object({
  id: Type.String({ description: 'cb_…' }),
  category: Type.String({ description: 'purchased | promotional | adjustment' }),
  currency: Type.String(),
  amount: Type.Number({ description: 'As granted or bought (major units)' }),
  remaining: Type.Number({ description: 'What is left (major units)' }),
  costBasis: nullable(Type.Number({ description: 'What the customer paid for it, excluding tax; 0 for a grant' })),
  priority: Type.Integer({ description: 'Lower draws first' }),
  expiresAt: nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  status: Type.String({ description: 'active | expired | depleted | voided' }),
  source: Type.Object({ orderId: Type.Optional(Type.String()), attemptId: Type.Optional(Type.String()), reason: Type.Optional(Type.String()) }),
});

export const SplitSchema = Type.Object({ purchased: Type.Number(), promotional: Type.Number(), other: Type.Number() });
export const ReportSchema = Type.Object({
  month: Type.String(),
  currencies: Type.Array(Type.Object({
    currency: Type.String(), opening: Type.Number(), purchased: Type.Number(), granted: Type.Number(), consumed: SplitSchema,
    expired: SplitSchema, voided: Type.Number(), clawedBack: Type.Number(), adjusted: Type.Number(), closing: Type.Number(),
  })),
});

export const GrantBody = Type.Object({
  amount: Type.Optional(Type.Unknown({ description: 'Major units, string or number, positive', examples: ['10.00'] })),
  category: Type.Optional(Type.String({ maxLength: TEXT_LENGTH_MAX, description: 'Only "promotional"' })),
  expiresAt: Type.Optional(Type.String({ maxLength: TEXT_LENGTH_MAX, description: 'ISO 8601, in the future' })),
  priority: Type.Optional(Type.Unknown({ description: 'Whole number, lower draws first (default 10)' })),
  reason: Type.String({ minLength: 1, maxLength: GRANT_REASON_LENGTH_MAX }),
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: GRANT_REFERENCE_LENGTH_MAX, description: 'Makes a retry safe: the same reference grants once' })),
}, { additionalProperties: false });
