import { Type } from 'typebox';
import { NAME_LENGTH_MAX } from './tenants.ts';

/** What the six admin tenant routes share: the tenant and number shapes, the tenant id parameter, auth and tag. */
export const TenantSchema = Type.Object({
  id: Type.String({ examples: ['ten_01JD8ZQ2X3Y4Z5A6B7C8D9E0F1'] }),
  name: Type.String(),
  currency: Type.String({ description: 'ISO 4217, upper-case' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const NumberSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const TenantParams = Type.Object({ tenantId: Type.String({ maxLength: 64 }) });
export const Name = Type.String({ minLength: 1, maxLength: NAME_LENGTH_MAX });
export const admin = { auth: { kind: 'admin' as const } };
export const tags = ['Admin'];
