import { Type } from 'typebox';

/** What the three saved-card routes share: the card shape, the card id parameter, read and write auth. */
export const PaymentMethodSchema = Type.Object({
  id: Type.String({ description: 'Stripe payment method id (pm_…)' }),
  brand: Type.String(),
  last4: Type.String(),
  expMonth: Type.Number(),
  expYear: Type.Number(),
  isDefault: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const Params = Type.Object({ id: Type.String({ maxLength: 255 }) });
export const read = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;
export const write = { kind: 'tenant', scope: 'tenant', permission: 'billing:write' } as const;
