export const PERMISSIONS = ['billing:read', 'billing:write', 'usage:write'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const KEY_SCOPES = ['tenant', 'number'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** A number-scoped key can only report usage for its number; billing is an account-level concern. */
const ALLOWED_BY_SCOPE: Record<KeyScope, readonly Permission[]> = {
  tenant: PERMISSIONS,
  number: ['usage:write'],
};

export function permissionsAllowed(scope: KeyScope): readonly Permission[] {
  return ALLOWED_BY_SCOPE[scope];
}

/**
 * What a key may be given when asked for explicitly (issue 22): a number key may also read, opt-in, the
 * billing data of its own number (SPEC §9: the history export); routes for the whole account stay
 * tenant-only by their scope requirement, whatever the permission.
 */
const GRANTABLE_BY_SCOPE: Record<KeyScope, readonly Permission[]> = {
  tenant: PERMISSIONS,
  number: ['usage:write', 'billing:read'],
};

export function permissionsGrantable(scope: KeyScope): readonly Permission[] {
  return GRANTABLE_BY_SCOPE[scope];
}

/** The guard for stored scopes: an unknown one is never read as `tenant` (that would widen access). */
export function isKeyScope(value: string): value is KeyScope {
  return (KEY_SCOPES as readonly string[]).includes(value);
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
