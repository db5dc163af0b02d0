export const PERMISSIONS = ['billing:read', 'billing:write', 'usage:write'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type KeyScope = 'tenant' | 'number';

/** A number-scoped key can only report usage for its number; billing is an account-level concern. */
const ALLOWED_BY_SCOPE: Record<KeyScope, readonly Permission[]> = {
  tenant: PERMISSIONS,
  number: ['usage:write'],
};

export function permissionsAllowed(scope: KeyScope): readonly Permission[] {
  return ALLOWED_BY_SCOPE[scope];
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
