/**
 * The three operator roles and what each may do (SPEC §9.3). A role includes everything of the roles
 * below it: viewer reads, support also runs the support actions, owner also moves money and manages people.
 */
export const ROLES = ['viewer', 'support', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** Every write the console offers, with the least role that may do it. */
export const ACTION_ROLES = {
  'portal_link.create': 'support',
  'delivery.replay': 'support',
  'inbox.retry': 'support',
  'reconcile.run': 'support',
  'auto_topup.resume': 'support',
  'wallet.adjust': 'owner',
  'operator.create': 'owner',
  'operator.disable': 'owner',
  'operator.reset_password': 'owner',
} as const satisfies Record<string, Role>;
export type ConsoleAction = keyof typeof ACTION_ROLES;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleMay(role: Role, action: ConsoleAction): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(ACTION_ROLES[action]);
}
