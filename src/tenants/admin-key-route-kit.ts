import { Type } from 'typebox';

/** What the three admin API key routes share: the key shapes (never the secret, except once on creation), auth and tag. */
export const Permission = Type.Union([Type.Literal('billing:read'), Type.Literal('billing:write'), Type.Literal('usage:write')]);
export const KeySchema = Type.Object({
  id: Type.String({ description: 'Public key id (use as x-api-key-id)' }),
  tenantId: Type.String(),
  scope: Type.Union([Type.Literal('tenant'), Type.Literal('number')]),
  numberId: Type.Union([Type.String(), Type.Null()]),
  permissions: Type.Array(Permission),
  hint: Type.String({ description: 'The last characters of the secret' }),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const CreatedKeySchema = Type.Intersect([KeySchema, Type.Object({ secret: Type.String({ description: 'Shown once; store it now' }) })]);
export const admin = { auth: { kind: 'admin' as const } };
export const tags = ['Admin'];
